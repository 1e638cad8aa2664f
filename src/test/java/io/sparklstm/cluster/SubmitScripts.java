package io.sparklstm.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a submit/*.sh script with DRY_RUN=1 and returns the spark-submit command it would run. */
final class SubmitScripts {

    /** The project root (Maven runs tests there). */
    static final Path ROOT = Path.of("").toAbsolutePath();

    private SubmitScripts() {}

    record Result(int exitCode, List<String> command, String stderr) {
        /** The arguments after bin/spark-submit. */
        List<String> sparkSubmitArgs() {
            return command.subList(1, command.size());
        }

        /** The value following {@code option} (first occurrence), or null. */
        String valueOf(String option) {
            int i = command.indexOf(option);
            return i >= 0 && i + 1 < command.size() ? command.get(i + 1) : null;
        }

        /** Every value given with {@code --conf key=...}, as the last one wins in spark-submit. */
        String conf(String key) {
            String value = null;
            for (int i = 0; i + 1 < command.size(); i++) {
                if (command.get(i).equals("--conf") && command.get(i + 1).startsWith(key + "=")) {
                    value = command.get(i + 1).substring(key.length() + 1);
                }
            }
            return value;
        }
    }

    static Result dryRun(String script, Map<String, String> env, String... jobArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(
                List.of("bash", ROOT.resolve("submit").resolve(script).toString()));
        cmd.addAll(List.of(jobArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("SPARK_")
                        || k.equals("HADOOP_CONF_DIR")
                        || k.equals("YARN_CONF_DIR")
                        || k.equals("APP_JAR")
                        || k.equals("CONF_DIR"));
        pb.environment().put("DRY_RUN", "1");
        pb.environment().putAll(env);
        Path err = Files.createTempFile("submit-dry-run", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " did not finish");
        }
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n", -1));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines = lines.subList(0, lines.size() - 1);
        }
        return new Result(p.exitValue(), lines, stderr);
    }

    /** submit/java17-opens.txt, one option per entry. */
    static List<String> java17Opens() throws IOException {
        return Files.readAllLines(ROOT.resolve("submit/java17-opens.txt")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }
}
