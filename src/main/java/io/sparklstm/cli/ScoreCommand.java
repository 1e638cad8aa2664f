package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import io.sparklstm.score.ScoreRequest;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The {@code score} command line: {@code score --store URI --model current|RUN_ID|MODEL_URI --input URI --output URI
 * [--overwrite] [--labels URI] [--image-column NAME] [--id-column NAME] [--limit N] [--batch-size N]}.
 */
final class ScoreCommand {

    static final String NAME = "score";

    private ScoreCommand() {}

    /** The request of {@code args} (the words after {@code score}); null when {@code --help} was asked. */
    static ScoreRequest parse(String[] args) {
        CommandLine cli = new CommandLine(spec());
        ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new BadInputException(e.getMessage());
        }
        if (parsed.isUsageHelpRequested()) {
            return null;
        }
        Map<String, String> v = new java.util.HashMap<>();
        for (OptionSpec option : parsed.matchedOptions()) {
            v.put(option.longestName(), String.valueOf((Object) option.getValue()));
        }
        return new ScoreRequest(
                v.get("--store"),
                v.getOrDefault("--model", "current"),
                required(v, "--input"),
                required(v, "--output"),
                Boolean.parseBoolean(v.getOrDefault("--overwrite", "false")),
                v.get("--labels"),
                v.getOrDefault("--image-column", "image"),
                v.get("--id-column"),
                count(v, "--limit", 0, 0),
                count(v, "--batch-size", 256, 1));
    }

    static String usage() {
        return new CommandLine(spec()).getUsageMessage();
    }

    private static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("sparklstm score");
        spec.usageMessage()
                .autoWidth(true)
                .description("Scores images with a trained model on Spark and writes the predictions as Parquet:"
                        + " id, prediction, probability (10 doubles)[, label].");
        option(spec, "--store", "URI", "the model store (needed for --model current or a run id)");
        option(spec, "--model", "MODEL", "'current', a run id of the store, or a model.zip URI (default: current)");
        option(spec, "--input", "URI", "an IDX image file (raw or .gz), or Parquet with an image column");
        option(spec, "--output", "URI", "where the Parquet predictions go; refused if it exists, unless --overwrite");
        spec.addOption(OptionSpec.builder("--overwrite")
                .arity("0")
                .type(boolean.class)
                .description("replace an existing --output")
                .build());
        option(spec, "--labels", "URI", "an IDX label file for the input's images: prints the accuracy");
        option(spec, "--image-column", "NAME", "Parquet input: the image column (default: image)");
        option(spec, "--id-column", "NAME", "Parquet input: a column passed through as id (default: the row index)");
        option(spec, "--limit", "N", "score only the first N images (default: all)");
        option(spec, "--batch-size", "N", "images per minibatch on the executors (default: 256)");
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help and exit.")
                .build());
        return spec;
    }

    private static void option(CommandSpec spec, String name, String label, String description) {
        spec.addOption(OptionSpec.builder(name)
                .type(String.class)
                .arity("1")
                .paramLabel(label)
                .description(description)
                .build());
    }

    private static String required(Map<String, String> values, String option) {
        String value = values.get(option);
        if (value == null) {
            throw new BadInputException("score: " + option + " is required");
        }
        return value;
    }

    private static int count(Map<String, String> values, String option, int fallback, int min) {
        String text = values.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text);
            if (n < min || n > 1_000_000_000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadInputException(
                    "score: " + option + " " + text + ": expected a whole number from " + min + " to 1000000000");
        }
    }
}
