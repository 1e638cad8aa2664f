package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.apache.spark.deploy.SparkSubmit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes path of submit/k8s.sh against a Kubernetes API stand-in (fabric8's mock server, CRUD mode): the
 * script's spark-submit command is run through Spark's real SparkSubmit (k8s://, cluster deploy mode) in this JVM,
 * and the driver pod and config map it creates are checked. No pod runs: the stand-in only stores what it is sent.
 */
class KubernetesSubmissionIT {

    static KubernetesStandIn standIn;
    static KubernetesClient client;

    @BeforeAll
    static void startApiStandIn() {
        standIn = new KubernetesStandIn(new ApplyingCrudDispatcher());
        client = standIn.client();
    }

    @AfterAll
    static void stopApiStandIn() {
        if (standIn != null) {
            standIn.close();
        }
    }

    private static final String NAMESPACE = "ml-test";
    private static final String IMAGE = "registry.example.com/ml/sparklstm:0.1.0-test";
    private static final List<String> JOB_ARGS = List.of(
            "--data",
            "hdfs://namenode:8020/datasets/mnist",
            "--output",
            "hdfs://namenode:8020/sparklstm",
            "--epochs",
            "2",
            "--run-id",
            "k8s-check",
            "--train-limit",
            "1000");

    @Test
    void k8sScriptCreatesTheDriverPodWithImageArgumentsConfigAndResources() throws Exception {
        String master = standIn.master();
        SubmitScripts.Result script = SubmitScripts.dryRun(
                "k8s.sh",
                Map.ofEntries(
                        Map.entry("K8S_MASTER", master),
                        Map.entry("IMAGE", IMAGE),
                        Map.entry("NAMESPACE", NAMESPACE),
                        Map.entry("SERVICE_ACCOUNT", "trainer"),
                        Map.entry("EXECUTOR_INSTANCES", "3"),
                        Map.entry("EXECUTOR_CORES", "2"),
                        Map.entry("EXECUTOR_MEMORY", "3g"),
                        Map.entry("EXECUTOR_MEMORY_OVERHEAD", "2g"),
                        Map.entry("DRIVER_CORES", "1"),
                        Map.entry("DRIVER_MEMORY", "1g"),
                        Map.entry("DRIVER_MEMORY_OVERHEAD", "1g"),
                        Map.entry("APP_NAME", "sparklstm-k8s-check"),
                        // Return once the driver pod exists: nothing would ever run it here.
                        Map.entry("WAIT_FOR_COMPLETION", "false")),
                JOB_ARGS.toArray(String[]::new));
        assertEquals(0, script.exitCode(), script.stderr());

        // In this JVM: keep whatever spark.* system properties the submission might leave from reaching later tests.
        Properties before = (Properties) System.getProperties().clone();
        try {
            new SparkSubmit().doSubmit(script.sparkSubmitArgs().toArray(String[]::new));
        } finally {
            System.getProperties().stringPropertyNames().stream()
                    .filter(k -> k.startsWith("spark.") && !before.containsKey(k))
                    .forEach(System::clearProperty);
        }

        List<Pod> pods = client.pods().inNamespace(NAMESPACE).list().getItems();
        assertEquals(1, pods.size(), "exactly the driver pod: " + pods);
        Pod driver = pods.get(0);
        assertEquals("driver", driver.getMetadata().getLabels().get("spark-role"));
        assertEquals("trainer", driver.getSpec().getServiceAccountName());

        Container container = driver.getSpec().getContainers().get(0);
        assertEquals(IMAGE, container.getImage());
        assertEquals("IfNotPresent", container.getImagePullPolicy());
        // Spark's entrypoint runs: driver --properties-file ... --class MAIN JAR JOB_ARGS...
        List<String> args = container.getArgs();
        assertEquals("driver", args.get(0));
        assertEquals("io.sparklstm.cli.Main", args.get(args.indexOf("--class") + 1));
        int jar = args.indexOf("local:///opt/sparklstm/sparklstm.jar");
        assertTrue(jar > 0, "application jar in " + args);
        assertEquals(JOB_ARGS, args.subList(jar + 1, args.size()));

        // Driver pod size: 1 core, heap 1g + overhead 1g.
        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertEquals(Quantity.parse("1"), normalized(requests.get("cpu")));
        assertEquals(
                Quantity.getAmountInBytes(Quantity.parse("2Gi")), Quantity.getAmountInBytes(requests.get("memory")));
        assertEquals(Quantity.getAmountInBytes(Quantity.parse("2Gi")), Quantity.getAmountInBytes(limits.get("memory")));
        Map<String, String> env = container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
        assertEquals(
                "2", env.get("OMP_NUM_THREADS"), "spark.kubernetes.driverEnv.OMP_NUM_THREADS from spark-defaults.conf");

        // Everything else reaches the driver through the config map mounted as its spark.properties.
        Properties conf = driverSparkProperties(driver);
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.getProperty("spark.serializer"));
        assertEquals("io.sparklstm.train.BulkNd4jKryoRegistrator", conf.getProperty("spark.kryo.registrator"));
        assertEquals(IMAGE, conf.getProperty("spark.kubernetes.container.image"));
        assertEquals(NAMESPACE, conf.getProperty("spark.kubernetes.namespace"));
        assertEquals("3", conf.getProperty("spark.executor.instances"));
        assertEquals("2", conf.getProperty("spark.executor.cores"));
        assertEquals("3g", conf.getProperty("spark.executor.memory"));
        assertEquals("2g", conf.getProperty("spark.executor.memoryOverhead"));
        assertEquals("2", conf.getProperty("spark.kubernetes.executor.limit.cores"));
        assertEquals("1", conf.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("1", conf.getProperty("spark.task.cpus"));
        assertEquals("0s", conf.getProperty("spark.locality.wait"));
        for (String role : List.of("driver", "executor")) {
            String javaOpts = conf.getProperty("spark." + role + ".extraJavaOptions");
            assertNotNull(javaOpts, role + " java options");
            for (String open : SubmitScripts.java17Opens()) {
                assertTrue(javaOpts.contains(open), role + " options lack " + open + ": " + javaOpts);
            }
            assertTrue(javaOpts.contains("-Dorg.bytedeco.javacpp.maxbytes="), javaOpts);
            assertTrue(
                    javaOpts.contains("-Dlog4j2.configurationFile=file:/opt/sparklstm/conf/log4j2.properties"),
                    javaOpts);
        }
    }

    /** "1000m" and "1" are the same CPU amount. */
    private static Quantity normalized(Quantity q) {
        return Quantity.parse(Quantity.getAmountInBytes(q).stripTrailingZeros().toPlainString());
    }

    private static Properties driverSparkProperties(Pod driver) throws Exception {
        String configMapName = driver.getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null && v.getName().equals("spark-conf-volume-driver"))
                .map(v -> v.getConfigMap().getName())
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no driver config map volume in " + driver.getSpec().getVolumes()));
        ConfigMap configMap = client.configMaps()
                .inNamespace(NAMESPACE)
                .withName(configMapName)
                .get();
        assertNotNull(configMap, "config map " + configMapName + " was created");
        String text = configMap.getData().get("spark.properties");
        assertNotNull(text, "spark.properties in " + configMap.getData().keySet());
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    /**
     * The CRUD stand-in answers a server-side apply (PATCH, application/apply-patch+yaml) of a resource that does not
     * exist yet with 404; a real API server creates it. Spark 3.5 creates the driver's config map and service that way,
     * so such a PATCH is turned into a create here.
     */
    static class ApplyingCrudDispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            String contentType = request.getHeader("Content-Type");
            if (contentType != null && contentType.contains("apply-patch")) {
                String path = request.getPath();
                String resource = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
                if (handleGet(resource).getStatus().contains(" " + HttpURLConnection.HTTP_NOT_FOUND + " ")) {
                    String collection = resource.substring(0, resource.lastIndexOf('/'));
                    Buffer body = request.getBody().clone();
                    try (Socket local = new Socket()) {
                        local.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                        return handleCreate(new RecordedRequest(
                                "POST " + collection + " HTTP/1.1",
                                request.getHeaders(),
                                List.of(),
                                body.size(),
                                body,
                                request.getSequenceNumber(),
                                local));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return super.handlePatch(request);
        }
    }
}
