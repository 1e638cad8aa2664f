package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Runs the real scripts under {@code submit/} (and {@code data/}) with bash, as a user would: {@link #dryRun} with
 * DRY_RUN=1 returns the command a script would run, {@link #run} runs it for real. Also reads what the scripts derive
 * their settings from (the pom's version, {@code submit/java17-opens.txt}) independently of them.
 */
public final class SubmitScripts {

    /** The project root (Maven runs tests there). */
    public static final Path ROOT = Path.of("").toAbsolutePath();

    /** The script that generates the opens list where it cannot be read at run time. */
    static final String SYNC_HINT = "edit submit/java17-opens.txt only and run submit/sync-opens.sh";

    /** The keys of the generated copies of the opens list. */
    private static final Pattern JAVA_OPTIONS_KEY = Pattern.compile("spark\\.(driver|executor)\\.extraJavaOptions");

    /** Settings the scripts read from the environment: a test sets the ones it means, never the caller's. */
    private static final Set<String> SCRIPT_SETTINGS = Set.of(
            "HADOOP_CONF_DIR",
            "YARN_CONF_DIR",
            "APP_JAR",
            "APP_NAME",
            "MAIN_CLASS",
            "CONF_DIR",
            "EXTRA_SPARK_ARGS",
            "DRY_RUN",
            "JAVA",
            "MVN",
            "NPM",
            "SUBMIT",
            "RUN_ID",
            "IMAGE",
            "DOCKER",
            "DEPLOY_MODE",
            "PRINCIPAL",
            "KEYTAB",
            "K8S_MASTER",
            "WORKERS",
            "REBUILD",
            "RUN_ROOT");

    private SubmitScripts() {}

    /** A finished script: exit code, stdout lines (the command, for DRY_RUN=1) and stderr. */
    public record Result(int exitCode, List<String> command, String stderr) {
        /** The arguments after bin/spark-submit. */
        public List<String> sparkSubmitArgs() {
            return command.subList(1, command.size());
        }

        /** The value following {@code option} (first occurrence), or null. */
        public String valueOf(String option) {
            int i = command.indexOf(option);
            return i >= 0 && i + 1 < command.size() ? command.get(i + 1) : null;
        }

        /** Every value given with {@code --conf key=...}, as the last one wins in spark-submit. */
        public String conf(String key) {
            String value = null;
            for (int i = 0; i + 1 < command.size(); i++) {
                if (command.get(i).equals("--conf") && command.get(i + 1).startsWith(key + "=")) {
                    value = command.get(i + 1).substring(key.length() + 1);
                }
            }
            return value;
        }

        /** The non-empty lines of stderr. */
        public List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }

        /** stdout as one string. */
        public String stdout() {
            return String.join("\n", command);
        }

        /** Everything the script printed, for assertion messages. */
        public String output() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout() + "\n--- stderr\n" + stderr;
        }
    }

    /** {@code submit/<script>} with DRY_RUN=1, started in the project root. */
    public static Result dryRun(String script, Map<String, String> env, String... jobArgs)
            throws IOException, InterruptedException {
        Map<String, String> withDryRun = new HashMap<>(env);
        withDryRun.putIfAbsent("DRY_RUN", "1");
        return run(ROOT.resolve("submit").resolve(script), ROOT, withDryRun, jobArgs);
    }

    /**
     * Runs {@code bash script args} in {@code directory} with the caller's environment minus every Spark and script
     * setting, plus {@code env}.
     */
    public static Result run(Path script, Path directory, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(directory.toFile());
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("SPARK_") || k.startsWith("SPARKLSTM_") || SCRIPT_SETTINGS.contains(k));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path err = Files.createTempFile("submit-script", ".err");
        pb.redirectError(err.toFile());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish");
            }
            List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n", -1));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines = lines.subList(0, lines.size() - 1);
            }
            return new Result(p.exitValue(), lines, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /**
     * The scripts a user runs: every {@code submit/*.sh} with a {@code #!} line; the others (common.sh,
     * local-hadoop.sh) are libraries the scripts source.
     */
    public static List<Path> userScripts() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("submit"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".sh"))
                    .filter(SubmitScripts::hasShebang)
                    .sorted()
                    .toList();
        }
    }

    private static boolean hasShebang(Path script) {
        try {
            return Files.readString(script).startsWith("#!");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** submit/java17-opens.txt, one option per entry (blank lines and '#' comment lines skipped, as java does). */
    public static List<String> java17Opens() throws IOException {
        return java17Opens(ROOT);
    }

    static List<String> java17Opens(Path root) throws IOException {
        return Files.readAllLines(root.resolve("submit/java17-opens.txt")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /**
     * Asserts that the JVM options {@code javaOptions} (one generated copy of the list, at {@code where}) carry
     * exactly the options of submit/java17-opens.txt under {@code root}, first and in the file's order, and no other
     * {@code --add-...} option.
     */
    static void assertOpensInSync(Path root, String where, String javaOptions) throws IOException {
        List<String> tokens = List.of(javaOptions.trim().split("\\s+"));
        List<String> expected = java17Opens(root);
        List<String> addOptions =
                tokens.stream().filter(t -> t.startsWith("--add-")).toList();
        List<String> leading = tokens.subList(0, Math.min(expected.size(), tokens.size()));
        assertEquals(
                expected,
                addOptions,
                where + ": the --add-opens list differs from submit/java17-opens.txt; " + SYNC_HINT);
        assertEquals(
                expected,
                leading,
                where + ": the --add-opens list must come first, as submit/java17-opens.txt has it; " + SYNC_HINT);
    }

    /**
     * Every generated copy of the opens list under {@code root}, read as Spark and Kubernetes read them: the
     * extraJavaOptions of conf/spark-defaults.conf (Java properties syntax, as Spark reads the file), and in every
     * submit/k8s/*.yaml each extraJavaOptions map entry (sparkConf) and {@code spark.*.extraJavaOptions=} list item
     * (spark-submit's --conf in the CronJob). Keys: "file: key #n".
     */
    static Map<String, String> generatedOpensPlaces(Path root) throws IOException {
        Map<String, String> places = new LinkedHashMap<>();
        Properties conf = new Properties();
        try (Reader r = Files.newBufferedReader(root.resolve("conf/spark-defaults.conf"))) {
            conf.load(r);
        }
        for (String key : conf.stringPropertyNames()) {
            if (JAVA_OPTIONS_KEY.matcher(key).matches()) {
                places.put("conf/spark-defaults.conf: " + key, conf.getProperty(key));
            }
        }
        try (Stream<Path> files = Files.list(root.resolve("submit/k8s"))) {
            for (Path f : files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList()) {
                try (Reader r = Files.newBufferedReader(f)) {
                    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                        collectJavaOptions("submit/k8s/" + f.getFileName(), doc, places);
                    }
                }
            }
        }
        return places;
    }

    private static void collectJavaOptions(String file, Object node, Map<String, String> places) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getKey() instanceof String key
                        && JAVA_OPTIONS_KEY.matcher(key).matches()
                        && e.getValue() instanceof String value) {
                    places.put(file + ": " + key + " #" + places.size(), value);
                } else {
                    collectJavaOptions(file, e.getValue(), places);
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String s) {
                    int eq = s.indexOf('=');
                    if (eq > 0 && JAVA_OPTIONS_KEY.matcher(s.substring(0, eq)).matches()) {
                        places.put(file + ": " + s.substring(0, eq) + " #" + places.size(), s.substring(eq + 1));
                    }
                } else {
                    collectJavaOptions(file, item, places);
                }
            }
        }
    }

    /** The project's version from pom.xml under {@code root}: project/version, else project/parent/version. */
    public static String projectVersion(Path root) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element project = factory.newDocumentBuilder()
                .parse(root.resolve("pom.xml").toFile())
                .getDocumentElement();
        String own = childText(project, "version");
        if (own != null) {
            return own;
        }
        for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("parent")) {
                return childText(e, "version");
            }
        }
        throw new IllegalStateException("no version in " + root.resolve("pom.xml"));
    }

    /** The application jar {@code mvn package} makes, by the pom's version. */
    public static Path builtJar(Path root) throws Exception {
        return root.resolve("target/sparklstm-" + projectVersion(root) + ".jar");
    }

    private static String childText(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }
}
