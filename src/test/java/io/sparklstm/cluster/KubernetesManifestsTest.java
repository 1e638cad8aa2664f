package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Parses every manifest in submit/k8s/ and checks the fields a cluster would reject or the job would miss. */
class KubernetesManifestsTest {

    private static final Path DIR = SubmitScripts.ROOT.resolve("submit/k8s");
    private static final String MAIN_CLASS = "io.sparklstm.cli.Main";
    private static final String JAR = "local:///opt/sparklstm/sparklstm.jar";
    private static final String NIGHTLY = "0 2 * * *";

    @Test
    void everyManifestParsesAndHasApiVersionKindAndName() throws IOException {
        List<Map<String, Object>> docs = allDocuments();
        assertTrue(docs.size() >= 4, "manifests found: " + docs.size());
        for (Map<String, Object> doc : docs) {
            assertNotNull(doc.get("apiVersion"), "apiVersion in " + doc);
            assertNotNull(doc.get("kind"), "kind in " + doc);
            assertNotNull(map(doc, "metadata").get("name"), "metadata.name in " + doc);
        }
        List<Object> kinds = docs.stream().map(d -> d.get("kind")).toList();
        for (String kind : List.of(
                "SparkApplication", "ScheduledSparkApplication", "CronJob", "ServiceAccount", "Role", "RoleBinding")) {
            assertTrue(kinds.contains(kind), kind + " among " + kinds);
        }
    }

    @Test
    void sparkApplicationRunsTheJobWithItsSettings() throws IOException {
        Map<String, Object> app = single("SparkApplication");
        assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion"));
        checkSparkApplicationSpec(map(app, "spec"));
    }

    @Test
    void scheduledSparkApplicationRunsNightlyAtTwo() throws IOException {
        Map<String, Object> scheduled = single("ScheduledSparkApplication");
        assertEquals("sparkoperator.k8s.io/v1beta2", scheduled.get("apiVersion"));
        Map<String, Object> spec = map(scheduled, "spec");
        assertEquals(NIGHTLY, spec.get("schedule"));
        assertEquals("Forbid", spec.get("concurrencyPolicy"));
        checkSparkApplicationSpec(map(spec, "template"));
        assertNightlyFlags(strings(map(spec, "template"), "arguments"));
    }

    @Test
    void cronJobRunsNightlyShThroughK8sShNightlyAtTwo() throws Exception {
        Map<String, Object> cron = single("CronJob");
        assertEquals("batch/v1", cron.get("apiVersion"));
        Map<String, Object> spec = map(cron, "spec");
        assertEquals(NIGHTLY, spec.get("schedule"));
        assertEquals("Forbid", spec.get("concurrencyPolicy"));
        Map<String, Object> podSpec = map(map(map(map(spec, "jobTemplate"), "spec"), "template"), "spec");
        assertEquals("Never", podSpec.get("restartPolicy"));
        assertNotNull(podSpec.get("serviceAccountName"));
        Map<String, Object> container = list(podSpec, "containers").get(0);
        assertNotNull(map(container, "resources").get("requests"), "resources.requests");
        assertEquals(List.of("/opt/sparklstm/submit/nightly.sh"), strings(container, "command"));
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            env.put((String) e.get("name"), String.valueOf(e.get("value")));
        }
        assertEquals("/opt/sparklstm/submit/k8s.sh", env.get("SUBMIT"));
        assertTrue(env.get("K8S_MASTER").startsWith("k8s://https://"), env.toString());
        assertEquals(container.get("image"), env.get("IMAGE"), "executors use the submitting image");
        assertEquals("0.97", env.get("MIN_ACCURACY"));
        assertEquals("0.005", env.get("MAX_REGRESSION"));
        assertEquals("14", env.get("KEEP_RUNS"));
        List<String> jobArgs = strings(container, "args");
        assertTrue(jobArgs.contains("--data") && jobArgs.contains("--output"), "job arguments: " + jobArgs);

        // The pod's command, run here as the image would run it (its /opt/sparklstm being this project), in dry-run:
        // the spark-submit command k8s.sh makes of it.
        Map<String, String> dryEnv = new java.util.HashMap<>(env);
        dryEnv.put("SUBMIT", SubmitScripts.ROOT.resolve("submit/k8s.sh").toString());
        dryEnv.put("SPARK_HOME", "/opt/spark");
        SubmitScripts.Result r = SubmitScripts.dryRun("nightly.sh", dryEnv, jobArgs.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.output());
        List<String> command = r.command();
        assertEquals("/opt/spark/bin/spark-submit", command.get(0));
        assertEquals("cluster", after(command, "--deploy-mode"));
        assertEquals(env.get("K8S_MASTER"), after(command, "--master"));
        assertEquals(MAIN_CLASS, after(command, "--class"));
        assertEquals(container.get("image"), r.conf("spark.kubernetes.container.image"));
        assertTrue(
                r.conf("spark.kubernetes.authenticate.submission.oauthTokenFile")
                        .endsWith("/token"),
                "in-cluster authentication: " + command);
        int jar = command.indexOf(JAR);
        assertTrue(jar > 0, "application jar in " + command);
        List<String> submitted = command.subList(jar + 1, command.size());
        assertNightlyFlags(submitted);
        assertTrue(after(submitted, "--run-id").matches("\\d{4}-\\d{2}-\\d{2}"), "the night's run id: " + submitted);
        assertTrue(after(submitted, "--submission-id").startsWith("nightly-"), submitted.toString());
        for (String role : List.of("driver", "executor")) {
            SubmitScripts.assertOpensInSync(
                    SubmitScripts.ROOT,
                    "submit/k8s/cronjob.yaml through k8s.sh: spark." + role + ".extraJavaOptions",
                    r.conf("spark." + role + ".extraJavaOptions"));
        }
    }

    @Test
    void everyManifestCarriesTheOpensListOfJava17OpensTxt() throws IOException {
        // Generated by submit/sync-opens.sh: exactly the file's list, first and in its order, in every copy.
        Map<String, String> places = SubmitScripts.generatedOpensPlaces(SubmitScripts.ROOT);
        List<String> manifests = places.keySet().stream()
                .filter(k -> k.startsWith("submit/k8s/"))
                .toList();
        assertEquals(4, manifests.size(), "driver and executor options in 2 manifests: " + manifests);
        for (String place : manifests) {
            SubmitScripts.assertOpensInSync(SubmitScripts.ROOT, place, places.get(place));
        }
    }

    @Test
    void rbacLetsTheServiceAccountCreatePods() throws IOException {
        Map<String, Object> role = single("Role");
        List<Map<String, Object>> rules = list(role, "rules");
        assertTrue(
                rules.stream()
                        .anyMatch(r -> strings(r, "resources").contains("pods")
                                && strings(r, "verbs")
                                        .containsAll(List.of("create", "get", "list", "watch", "delete"))),
                rules.toString());
        Map<String, Object> binding = single("RoleBinding");
        assertEquals(
                map(single("ServiceAccount"), "metadata").get("name"),
                list(binding, "subjects").get(0).get("name"));
    }

    private static void checkSparkApplicationSpec(Map<String, Object> spec) throws IOException {
        assertEquals("Java", spec.get("type"));
        assertEquals("cluster", spec.get("mode"));
        assertNotNull(spec.get("image"), "image");
        assertEquals(MAIN_CLASS, spec.get("mainClass"));
        assertEquals(JAR, spec.get("mainApplicationFile"));
        assertTrue(
                String.valueOf(spec.get("sparkVersion")).startsWith("3.5"), "sparkVersion " + spec.get("sparkVersion"));
        List<String> arguments = strings(spec, "arguments");
        assertTrue(arguments.contains("--data") && arguments.contains("--output"), "arguments: " + arguments);
        assertTrue(
                arguments.get(arguments.indexOf("--output") + 1).contains("://"),
                "--output must be a shared filesystem URI: " + arguments);

        Map<String, Object> sparkConf = map(spec, "sparkConf");
        assertEquals("org.apache.spark.serializer.KryoSerializer", sparkConf.get("spark.serializer"));
        assertEquals("io.sparklstm.train.BulkNd4jKryoRegistrator", sparkConf.get("spark.kryo.registrator"));
        for (String role : List.of("driver", "executor")) {
            String key = "spark." + role + ".extraJavaOptions";
            String opts = (String) sparkConf.get(key);
            assertNotNull(opts, role + " extraJavaOptions");
            SubmitScripts.assertOpensInSync(SubmitScripts.ROOT, "sparkConf " + key, opts);
            assertTrue(opts.contains("-Dorg.bytedeco.javacpp.maxbytes="), opts);
        }

        Map<String, Object> driver = map(spec, "driver");
        Map<String, Object> executor = map(spec, "executor");
        assertNotNull(driver.get("serviceAccount"), "driver.serviceAccount");
        for (Map<String, Object> role : List.of(driver, executor)) {
            assertNotNull(role.get("cores"), "cores in " + role);
            assertNotNull(role.get("memory"), "memory in " + role);
            assertNotNull(role.get("memoryOverhead"), "memoryOverhead (ND4J off-heap) in " + role);
        }
        assertTrue(((Number) executor.get("instances")).intValue() >= 2, "executor.instances");
        List<Map<String, Object>> env = list(executor, "env");
        assertTrue(
                env.stream().anyMatch(e -> "OMP_NUM_THREADS".equals(e.get("name")) && "1".equals(e.get("value"))),
                "executor OMP_NUM_THREADS=1: " + env);
    }

    // --- YAML helpers -------------------------------------------------------------------------------------

    private static List<Map<String, Object>> allDocuments() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            List<Path> yamls = files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
            assertFalse(yamls.isEmpty(), "no manifests in " + DIR);
            for (Path f : yamls) {
                try (Reader r = Files.newBufferedReader(f)) {
                    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                        if (doc != null) {
                            assertTrue(doc instanceof Map, f + ": a document is not a mapping");
                            @SuppressWarnings("unchecked")
                            Map<String, Object> m = (Map<String, Object>) doc;
                            docs.add(m);
                        }
                    }
                }
            }
        }
        return docs;
    }

    private static Map<String, Object> single(String kind) throws IOException {
        List<Map<String, Object>> found =
                allDocuments().stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, found.size(), "one " + kind);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertTrue(v instanceof Map, key + " is a mapping in " + parent);
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertTrue(v instanceof List && !((List<?>) v).isEmpty(), key + " is a non-empty list in " + parent);
        return (List<Map<String, Object>>) v;
    }

    private static List<String> strings(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertTrue(v instanceof List, key + " is a list in " + parent);
        return ((List<?>) v)
                .stream()
                        .map(o -> {
                            assertTrue(
                                    o instanceof String, key + ": every item must be a string (quote numbers): " + o);
                            return (String) o;
                        })
                        .toList();
    }

    /** The nightly manifests run with submit/nightly.sh's quality gate and retention. */
    private static void assertNightlyFlags(List<String> jobArgs) {
        assertEquals("0.97", after(jobArgs, "--min-accuracy"), jobArgs.toString());
        assertEquals("0.005", after(jobArgs, "--max-regression"), jobArgs.toString());
        assertEquals("14", after(jobArgs, "--keep-runs"), jobArgs.toString());
    }

    private static String after(List<String> command, String option) {
        int i = command.indexOf(option);
        assertTrue(i >= 0 && i + 1 < command.size(), option + " in " + command);
        return command.get(i + 1);
    }
}
