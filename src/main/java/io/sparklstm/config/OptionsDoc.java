package io.sparklstm.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the two documents derived from {@link JobParams}: the bundled {@code conf/sparklstm.properties} (every
 * option with its default, commented out where it has none) and the options table {@code docs/options.md}.
 * {@code OptionsDocTest} fails when the committed files differ from what this renders; regenerate them with
 *
 * <pre>
 * java -cp target/classes io.sparklstm.config.OptionsDoc   # from the project root, after mvn compile
 * </pre>
 */
public final class OptionsDoc {

    public static final String PROPERTIES = "conf/sparklstm.properties";
    public static final String MARKDOWN = "docs/options.md";

    private static final int WIDTH = 118;

    private OptionsDoc() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(root.resolve(PROPERTIES), properties(), StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve(MARKDOWN).getParent());
        Files.writeString(root.resolve(MARKDOWN), markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + root.resolve(PROPERTIES) + " and " + root.resolve(MARKDOWN));
    }

    /** The bundled properties file. */
    public static String properties() {
        StringBuilder out = new StringBuilder();
        out.append("# Defaults of the sparklstm training job, generated from io.sparklstm.config.JobParams by\n")
                .append("# io.sparklstm.config.OptionsDoc: edit the declarations, not this file.\n")
                .append("# Keys are the command-line options without their leading dashes. Precedence, lowest first:\n")
                .append("# this file (also bundled in the application jar) < a file given with --config FILE\n")
                .append("# < options on the command line. A user's --config file may hold any of these keys.\n");
        for (Param<?> param : JobParams.ALL) {
            if (param.isCliOnly()) {
                continue;
            }
            out.append('\n');
            comment(out, param.description() + " Accepts " + param.expected() + ".");
            if (param.note() != null) {
                comment(out, param.note());
            }
            String value = param.format(param.defaultValue());
            out.append(param.defaultValue() == null ? "# " : "")
                    .append(param.name())
                    .append('=')
                    .append(value)
                    .append('\n');
        }
        return out.toString();
    }

    /** The options table. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Options\n\n")
                .append("Generated from `io.sparklstm.config.JobParams` (the one declaration of every option) by")
                .append(" `io.sparklstm.config.OptionsDoc`; do not edit by hand.\n\n")
                .append("Every option can be given on the command line (`--name value`), or as `name=value` in")
                .append(" `conf/sparklstm.properties` (bundled in the jar) or in a file passed with `--config FILE`;")
                .append(" the command line wins over the file, the file over the bundled defaults. Values outside")
                .append(" the accepted range are refused with exit code 2 and a one-line message naming the option")
                .append(" (and the file).\n\n")
                .append("*Shapes weights*: a different value trains different weights, so a run id's checkpoints")
                .append(" can only be resumed with the same value (it is part of the resume fingerprint, with the")
                .append(" inputs' SHA-256).\n\n")
                .append("| option | default | accepts | shapes weights | description |\n")
                .append("|---|---|---|---|---|\n");
        for (Param<?> param : JobParams.ALL) {
            String value = param.defaultValue() == null ? "–" : "`" + param.format(param.defaultValue()) + "`";
            out.append("| `")
                    .append(param.option())
                    .append(param.isFlag() ? "" : " " + param.label())
                    .append("` | ")
                    .append(value)
                    .append(" | ")
                    .append(param.expected())
                    .append(" | ")
                    .append(param.isWeightShaping() ? "yes" : "")
                    .append(" | ")
                    .append(param.description().replace("|", "\\|"))
                    .append(param.note() == null ? "" : " " + param.note())
                    .append(param.isCliOnly() ? " Command line only." : "")
                    .append(" |\n");
        }
        return out.toString();
    }

    private static void comment(StringBuilder out, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder("#");
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        lines.add(line.toString());
        lines.forEach(l -> out.append(l).append('\n'));
    }
}
