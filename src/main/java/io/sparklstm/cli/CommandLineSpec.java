package io.sparklstm.cli;

import io.sparklstm.common.ExitCode;
import io.sparklstm.config.JobParams;
import io.sparklstm.config.Param;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The picocli command of the training job, built from {@link JobParams}: one option per declaration, every value
 * taken as text so that the declaration parses and checks it (the same code as for properties files).
 */
final class CommandLineSpec {

    private CommandLineSpec() {}

    /** The command, with {@code defaults} (option name to text) shown in {@code --help}. */
    static CommandSpec of(Map<String, String> defaults) {
        CommandSpec spec = CommandSpec.create().name("sparklstm");
        UsageMessageSpec usage = spec.usageMessage();
        usage.autoWidth(true)
                .description("Trains a three-layer LSTM MNIST classifier with Spark and DL4J parameter averaging,"
                        + " evaluates it on the test set and publishes model and metrics to a model store on any"
                        + " Hadoop FileSystem.")
                .footer(
                        "",
                        "Defaults come from conf/sparklstm.properties (bundled in the jar); --config FILE overrides"
                                + " them and command-line options override both.",
                        "Exit codes: " + exitCodes());
        for (Param<?> param : JobParams.ALL) {
            // --store names the store as the score command does; --output stays the option's name.
            String[] names = param == JobParams.OUTPUT
                    ? new String[] {param.option(), "--store"}
                    : new String[] {param.option()};
            OptionSpec.Builder option = OptionSpec.builder(names)
                    .type(String.class)
                    .description(param.description() + defaultText(param, defaults.get(param.name())));
            if (param.isFlag()) {
                option.arity("0..1").fallbackValue("true").paramLabel("true|false");
            } else {
                option.arity("1").paramLabel(param.label());
            }
            spec.addOption(option.build());
        }
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help and exit.")
                .build());
        return spec;
    }

    private static String defaultText(Param<?> param, String value) {
        if (param.description().contains("(default:")) {
            return "";
        }
        return value == null || value.isEmpty() ? "" : " (default: " + value + ")";
    }

    private static String exitCodes() {
        return ExitCode.OK.code() + " success (model promoted), " + ExitCode.FAILURE.code() + " failure, "
                + ExitCode.BAD_INPUT.code() + " bad input or usage, " + ExitCode.NOT_PROMOTED.code()
                + " model kept but not promoted by the quality gate, " + ExitCode.DIVERGED.code()
                + " training diverged (nothing published), " + ExitCode.LOCKED.code()
                + " store locked by another live run (or this run lost its lock).";
    }
}
