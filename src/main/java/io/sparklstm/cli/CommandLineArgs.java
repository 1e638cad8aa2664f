package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The options given on the command line, as text by option name, checked by picocli for unknown options and
 * missing values only; their values are checked by the option declarations.
 *
 * @param values        option name (without dashes) to the text given; the last occurrence wins
 * @param helpRequested whether {@code -h}/{@code --help} was given
 */
record CommandLineArgs(Map<String, String> values, boolean helpRequested) {

    static CommandLineArgs parse(String[] args, Map<String, String> defaults) {
        CommandLine cli = new CommandLine(CommandLineSpec.of(defaults)).setOverwrittenOptionsAllowed(true);
        ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new BadInputException(e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : parsed.matchedOptions()) {
            if (!option.usageHelp()) {
                values.put(option.longestName().substring(2), option.getValue());
            }
        }
        return new CommandLineArgs(values, parsed.isUsageHelpRequested());
    }

    /** The {@code --help} text with {@code defaults} shown. */
    static String usage(Map<String, String> defaults) {
        return new CommandLine(CommandLineSpec.of(defaults)).getUsageMessage();
    }
}
