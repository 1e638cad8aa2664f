package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.Mnist;
import io.sparklstm.data.Minibatches;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The job on a real multi-process cluster: HDFS (MiniDFSCluster, 2 DataNodes) in its own JVM, a Spark standalone
 * Master and two Workers (one executor JVM each, 1 core), the driver as a spark-submit JVM in client deploy mode,
 * data read from and model + metrics written to HDFS. Then model.zip is read back from HDFS, evaluated here on the
 * same test slice, and must score the accuracy metrics.json records; metrics.json's trainingExecutors must name both
 * executors, and each must be the one of a different Worker.
 *
 * <p>It runs as an integration test in {@code mvn verify}; instead of the shaded jar it submits a thin jar
 * of target/classes (built here) and puts the job's runtime dependencies (target/cluster-classpath/app.txt, written by
 * the dependency plugin at generate-test-resources) on the driver and executor classpaths with
 * spark.executor.extraClassPath, which works because every executor runs on this machine. The Workers run from a
 * SPARK_HOME whose jars/ links the provided (Spark + Hadoop) classpath, spark.txt: the same set target/spark-home/jars
 * holds after packaging. The shaded jar itself is exercised by submit/local-cluster.sh.
 */
class StandaloneClusterIT {

    private static final Path ROOT = SubmitScripts.ROOT;
    private static final int TRAIN_LIMIT = 1500;
    private static final int TEST_LIMIT = 500;
    private static final String RUN_ID = "it-standalone";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(300);

    private Path work;
    private Processes processes;

    @BeforeEach
    void setUp() throws IOException {
        work = ROOT.resolve("target/cluster-it/run-" + System.currentTimeMillis());
        Files.createDirectories(work.resolve("logs"));
        processes = new Processes();
    }

    @AfterEach
    void tearDown() throws IOException {
        List<Long> killed = processes.stopAll();
        processes.close();
        List<ProcessHandle> alive = processes.alive();
        assertTrue(alive.isEmpty(), "processes left running: " + alive);
        System.out.println("cluster IT: teardown done" + (killed.isEmpty() ? "" : ", SIGKILL needed for " + killed)
                + "; logs in " + work.resolve("logs"));
        // Keep the logs, drop the bulky parts (executor jar copies, HDFS storage).
        for (String dir : List.of("worker-1", "worker-2", "hdfs", "spark-home")) {
            FileUtil.fullyDelete(work.resolve(dir).toFile());
        }
    }

    @Test
    void trainsOnTwoExecutorJvmsWithDataAndModelOnHdfs() throws Exception {
        Path mnist = Mnist.dir();
        Instant t0 = Instant.now();
        List<String> sparkJars = classpath("spark.txt");
        List<String> appJars = classpath("app.txt");
        List<String> opens = SubmitScripts.java17Opens();
        Path sparkHome = sparkHome(sparkJars);
        String sparkCp = sparkHome.resolve("jars") + "/*";
        Path appJar = thinJar(ROOT.resolve("target/classes"), work.resolve("sparklstm-it.jar"));
        Map<String, String> sparkEnv = Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1");
        Path logs = work.resolve("logs");

        // HDFS in its own JVM; it exits when our end of its stdin closes, i.e. also if this JVM dies.
        Path uriFile = work.resolve("hdfs.uri");
        Process hdfsProcess = processes.startJava(
                List.of("-Xmx768m"),
                ROOT.resolve("target/test-classes") + File_SEP + String.join(File_SEP, classpath("test.txt")),
                MiniHdfs.class.getName(),
                List.of(
                        "--base-dir",
                        work.resolve("hdfs").toString(),
                        "--datanodes",
                        "2",
                        "--uri-file",
                        uriFile.toString(),
                        "--exit-on-stdin-close"),
                Map.of(),
                logs.resolve("hdfs.log"),
                true);
        await("HDFS", hdfsProcess, logs.resolve("hdfs.log"), () -> Files.exists(uriFile));
        String hdfs = Files.readString(uriFile).trim();

        // Spark standalone Master and two Workers, one core each: two executor JVMs.
        List<String> daemonOpts = new ArrayList<>(opens);
        daemonOpts.add("-Xmx512m");
        Process master = processes.startJava(
                daemonOpts,
                sparkCp,
                "org.apache.spark.deploy.master.Master",
                List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"),
                sparkEnv,
                logs.resolve("master.log"),
                false);
        Pattern masterUrl = Pattern.compile("Starting Spark master at (spark://\\S+)");
        await(
                "Spark Master",
                master,
                logs.resolve("master.log"),
                () -> find(logs.resolve("master.log"), masterUrl) != null);
        String masterUri = find(logs.resolve("master.log"), masterUrl);
        for (int w = 1; w <= 2; w++) {
            Path dir = Files.createDirectories(work.resolve("worker-" + w));
            processes.startJava(
                    daemonOpts,
                    sparkCp,
                    "org.apache.spark.deploy.worker.Worker",
                    List.of(
                            "--host",
                            "127.0.0.1",
                            "--port",
                            "0",
                            "--webui-port",
                            "0",
                            "--cores",
                            "1",
                            "--memory",
                            "1536m",
                            "--work-dir",
                            dir.toString(),
                            masterUri),
                    sparkEnv,
                    logs.resolve("worker-" + w + ".log"),
                    false);
        }
        await(
                "two Workers",
                master,
                logs.resolve("master.log"),
                () -> count(logs.resolve("master.log"), "Registering worker") >= 2);

        // MNIST onto HDFS.
        Configuration hadoop = new Configuration();
        hadoop.setInt("dfs.replication", 2);
        FileSystem fs = FileSystem.get(URI.create(hdfs), hadoop);
        org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(hdfs + "/data/mnist");
        fs.mkdirs(data);
        try (Stream<Path> files = Files.list(mnist)) {
            for (Path f : files.toList()) {
                fs.copyFromLocalFile(
                        new org.apache.hadoop.fs.Path(f.toUri()),
                        new org.apache.hadoop.fs.Path(data, f.getFileName().toString()));
            }
        }
        Duration startup = Duration.between(t0, Instant.now());

        // The driver: SparkSubmit in client deploy mode, with conf/spark-defaults.conf as the properties file.
        List<String> driverOpts = new ArrayList<>(opens);
        driverOpts.addAll(List.of(
                "-Xmx1536m",
                "-Dorg.bytedeco.javacpp.maxbytes=2G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G",
                "-Dlog4j2.configurationFile=file:" + ROOT.resolve("conf/log4j2.properties")));
        String appCp = String.join(File_SEP, appJars);
        Map<String, String> driverEnv = new HashMap<>(sparkEnv);
        driverEnv.put("OMP_NUM_THREADS", "1");
        Process driver = processes.startJava(
                driverOpts,
                sparkCp + File_SEP + appCp,
                "org.apache.spark.deploy.SparkSubmit",
                List.of(
                        "--master",
                        masterUri,
                        "--deploy-mode",
                        "client",
                        "--class",
                        "io.sparklstm.cli.Main",
                        "--name",
                        "sparklstm-it",
                        "--properties-file",
                        ROOT.resolve("conf/spark-defaults.conf").toString(),
                        "--conf",
                        "spark.driver.host=127.0.0.1",
                        "--conf",
                        "spark.executor.memory=1g",
                        "--conf",
                        "spark.executor.cores=1",
                        "--conf",
                        "spark.cores.max=2",
                        "--conf",
                        "spark.executor.extraClassPath=" + appCp,
                        "--conf",
                        "spark.scheduler.minRegisteredResourcesRatio=1.0",
                        "--conf",
                        "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                        "--conf",
                        "spark.ui.enabled=false",
                        "--conf",
                        "spark.hadoop.dfs.replication=2",
                        appJar.toString(),
                        "--data",
                        data.toString(),
                        "--output",
                        hdfs + "/sparklstm",
                        "--run-id",
                        RUN_ID,
                        "--train-limit",
                        String.valueOf(TRAIN_LIMIT),
                        "--test-limit",
                        String.valueOf(TEST_LIMIT),
                        "--epochs",
                        "1",
                        "--workers",
                        "2"),
                driverEnv,
                logs.resolve("driver.log"),
                false);
        Instant submitted = Instant.now();
        if (!driver.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            fail("the job did not finish within " + JOB_TIMEOUT + "; driver log tail:\n"
                    + tail(logs.resolve("driver.log")));
        }
        Duration job = Duration.between(submitted, Instant.now());
        assertEquals(0, driver.exitValue(), "job exit code; driver log tail:\n" + tail(logs.resolve("driver.log")));

        // What the run published on HDFS.
        org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(hdfs + "/sparklstm/runs/" + RUN_ID);
        for (String name : List.of("model.zip", "metrics.json", "config.json", "_SUCCESS")) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run, name)), name + " in " + run);
        }
        JsonNode metrics;
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(run, "metrics.json"))) {
            metrics = new ObjectMapper().readTree(in);
        }
        assertEquals(TRAIN_LIMIT, metrics.get("trainExamples").asInt());
        assertEquals(TEST_LIMIT, metrics.get("testExamples").asInt());

        // Both executors trained, and they are the executors of two different Workers (two JVMs).
        Set<String> executors = new TreeSet<>();
        metrics.get("trainingExecutors").forEach(n -> executors.add(n.asText()));
        assertEquals(2, executors.size(), "trainingExecutors " + executors);
        assertTrue(!executors.contains("driver"), "training ran in the driver: " + executors);
        Set<String> workersOfExecutors = new LinkedHashSet<>();
        for (String id : executors) {
            for (int w = 1; w <= 2; w++) {
                try (Stream<Path> apps = Files.list(work.resolve("worker-" + w))) {
                    for (Path app : apps.toList()) {
                        if (Files.isDirectory(app.resolve(id))) {
                            workersOfExecutors.add("worker-" + w);
                        }
                    }
                }
            }
        }
        assertEquals(
                Set.of("worker-1", "worker-2"),
                workersOfExecutors,
                "executors " + executors + " ran on Workers " + workersOfExecutors);

        // model.zip from HDFS scores the recorded accuracy on the same test slice.
        MultiLayerNetwork model;
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(run, "model.zip"))) {
            model = ModelSerializer.restoreMultiLayerNetwork(in, false);
        }
        double accuracy = accuracy(model, mnist, TEST_LIMIT);
        double recorded = metrics.get("accuracy").asDouble();
        System.out.printf(
                "cluster IT: startup %ds, job %ds, executors %s, accuracy recorded %.4f, re-evaluated %.4f%n",
                startup.toSeconds(), job.toSeconds(), executors, recorded, accuracy);
        assertEquals(recorded, accuracy, 1e-9, "accuracy of model.zip re-evaluated on the test slice");
        assertTrue(accuracy > 0.2, "one epoch on 1500 examples beats chance (0.1): " + accuracy);
        fs.close();
    }

    private static final String File_SEP = java.io.File.pathSeparator;

    /** Accuracy of {@code model} on the first {@code limit} examples of the local t10k files. */
    private static double accuracy(MultiLayerNetwork model, Path mnist, int limit) throws IOException {
        byte[] images = Files.readAllBytes(mnist.resolve("t10k-images-idx3-ubyte"));
        byte[] labels = Files.readAllBytes(mnist.resolve("t10k-labels-idx1-ubyte"));
        byte[] pixels = java.util.Arrays.copyOfRange(images, 16, 16 + limit * 28 * 28);
        byte[] classes = java.util.Arrays.copyOfRange(labels, 8, 8 + limit);
        int correct = 0;
        for (int first = 0; first < limit; first += 250) {
            int n = Math.min(250, limit - first);
            DataSet batch = Minibatches.of(pixels, classes, first, n);
            INDArray predicted = model.output(batch.getFeatures(), false).argMax(1);
            INDArray actual = batch.getLabels().argMax(1);
            for (int i = 0; i < n; i++) {
                if (predicted.getLong(i) == actual.getLong(i)) {
                    correct++;
                }
            }
        }
        return (double) correct / limit;
    }

    private static List<String> classpath(String file) throws IOException {
        Path f = ROOT.resolve("target/cluster-classpath").resolve(file);
        assertTrue(Files.isRegularFile(f), f + " is written by the dependency plugin at generate-test-resources");
        String text = Files.readString(f).trim();
        return text.isEmpty() ? List.of() : List.of(text.split(java.io.File.pathSeparator));
    }

    /** A SPARK_HOME whose jars/ links every provided jar, as target/spark-home/jars holds after packaging. */
    private Path sparkHome(List<String> jars) throws IOException {
        Path dir = Files.createDirectories(work.resolve("spark-home/jars"));
        for (String jar : jars) {
            Path source = Path.of(jar);
            Files.createSymbolicLink(dir.resolve(source.getFileName()), source);
        }
        return work.resolve("spark-home");
    }

    /** A jar of the job's compiled classes and resources: what spark-submit ships to the executors. */
    private static Path thinJar(Path classes, Path jar) throws IOException {
        assertTrue(Files.isDirectory(classes.resolve("io/sparklstm/cli")), "compiled job classes in " + classes);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.sparklstm.cli.Main");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        return jar;
    }

    private interface Check {
        boolean ok() throws IOException;
    }

    private static void await(String what, Process process, Path log, Check ready) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!ready.ok()) {
            if (!process.isAlive()) {
                fail(what + ": process exited with " + process.exitValue() + "; log tail:\n" + tail(log));
            }
            if (Instant.now().isAfter(deadline)) {
                fail(what + ": not ready after " + START_TIMEOUT + "; log tail:\n" + tail(log));
            }
            Thread.sleep(250);
        }
    }

    private static String find(Path log, Pattern pattern) throws IOException {
        if (!Files.exists(log)) {
            return null;
        }
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1) : null;
    }

    private static long count(Path log, String text) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.ISO_8859_1))) {
            return r.lines().filter(l -> l.contains(text)).count();
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
