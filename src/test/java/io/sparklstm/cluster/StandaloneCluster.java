package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparklstm.Mnist;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
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

/**
 * A real multi-process Spark standalone cluster on this machine, for the cluster integration tests: HDFS
 * (MiniDFSCluster, 2 DataNodes) in its own JVM with MNIST uploaded to {@code /data/mnist}, a Spark standalone Master
 * and two Workers with one core each (so one executor JVM per Worker), and the job's drivers as spark-submit JVMs in
 * client deploy mode with conf/spark-defaults.conf as their properties file.
 *
 * <p>Instead of the shaded jar it submits a thin jar of target/classes (built here) and puts the job's runtime
 * dependencies (target/cluster-classpath/app.txt, written by the dependency plugin at generate-test-resources) on the
 * driver and executor classpaths with spark.executor.extraClassPath, which works because every executor runs on this
 * machine. The Workers run from a SPARK_HOME whose jars/ links the provided (Spark + Hadoop) classpath, spark.txt: the
 * same set target/spark-home/jars holds after packaging. The shaded jar itself is exercised by
 * submit/local-cluster.sh.
 *
 * <p>Everything lives in {@code target/cluster-it/run-<millis>/}; the processes' logs stay in its {@code logs/}. {@link
 * #close} stops every process it started (and their descendants) and fails if any process of this cluster is still
 * alive afterwards.
 */
final class StandaloneCluster implements AutoCloseable {

    static final Path ROOT = SubmitScripts.ROOT;
    static final int WORKERS = 2;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String PATH_SEP = File.pathSeparator;

    private final Path work;
    private final Path logs;
    private final Processes processes = new Processes();
    private final List<Process> workers = new ArrayList<>();
    private final List<String> opens;
    private String sparkCp;
    private String appCp;
    private Path appJar;
    private Map<String, String> sparkEnv;
    private String masterUri;
    private String hdfs;
    private FileSystem fs;
    private Duration startup;

    StandaloneCluster() throws IOException {
        work = ROOT.resolve("target/cluster-it/run-" + System.currentTimeMillis());
        logs = Files.createDirectories(work.resolve("logs"));
        opens = SubmitScripts.java17Opens();
    }

    /** Starts HDFS, the Master and the Workers, and uploads MNIST; {@link #close} stops whatever did start. */
    void start() throws Exception {
        Instant t0 = Instant.now();
        Path sparkHome = sparkHome(classpath("spark.txt"));
        sparkCp = sparkHome.resolve("jars") + "/*";
        appCp = String.join(PATH_SEP, classpath("app.txt"));
        appJar = thinJar(ROOT.resolve("target/classes"), work.resolve("sparklstm-it.jar"));
        sparkEnv = Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1");

        // HDFS in its own JVM; it exits when our end of its stdin closes, i.e. also if this JVM dies.
        Path uriFile = work.resolve("hdfs.uri");
        Process hdfsProcess = processes.startJava(
                List.of("-Xmx768m"),
                ROOT.resolve("target/test-classes") + PATH_SEP + String.join(PATH_SEP, classpath("test.txt")),
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
        hdfs = Files.readString(uriFile).trim();

        // Spark standalone Master and two Workers, one core each: two executor JVMs.
        List<String> daemonOpts = new ArrayList<>(opens);
        daemonOpts.add("-Xmx512m");
        Path masterLog = logs.resolve("master.log");
        Process master = processes.startJava(
                daemonOpts,
                sparkCp,
                "org.apache.spark.deploy.master.Master",
                List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0"),
                sparkEnv,
                masterLog,
                false);
        Pattern masterUrl = Pattern.compile("Starting Spark master at (spark://\\S+)");
        await("Spark Master", master, masterLog, () -> find(masterLog, masterUrl) != null);
        masterUri = find(masterLog, masterUrl);
        for (int w = 1; w <= WORKERS; w++) {
            workers.add(processes.startJava(
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
                            Files.createDirectories(workerDir(w)).toString(),
                            masterUri),
                    sparkEnv,
                    logs.resolve("worker-" + w + ".log"),
                    false));
        }
        await("two Workers", master, masterLog, () -> count(masterLog, "Registering worker") >= WORKERS);

        // MNIST onto HDFS.
        Configuration hadoop = new Configuration();
        hadoop.setInt("dfs.replication", 2);
        fs = FileSystem.newInstance(URI.create(hdfs), hadoop);
        MiniHdfs.upload(fs, Mnist.dir(), new org.apache.hadoop.fs.Path(mnist()));
        startup = Duration.between(t0, Instant.now());
    }

    /**
     * Starts the job's driver: SparkSubmit in client deploy mode, application name {@code name}, output in {@link
     * #driverLog}, reading MNIST from this cluster's HDFS; {@code jobArgs} follow the job's {@code --data} option.
     */
    Process submit(String name, List<String> jobArgs) throws IOException {
        List<String> driverOpts = new ArrayList<>(opens);
        driverOpts.addAll(List.of(
                "-Xmx1536m",
                "-Dorg.bytedeco.javacpp.maxbytes=2G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=5G",
                "-Dlog4j2.configurationFile=file:" + ROOT.resolve("conf/log4j2.properties")));
        Map<String, String> driverEnv = new HashMap<>(sparkEnv);
        driverEnv.put("OMP_NUM_THREADS", "1");
        List<String> args = new ArrayList<>(List.of(
                "--master",
                masterUri,
                "--deploy-mode",
                "client",
                "--class",
                "io.sparklstm.cli.Main",
                "--name",
                name,
                "--properties-file",
                ROOT.resolve("conf/spark-defaults.conf").toString(),
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.executor.memory=1g",
                "--conf",
                "spark.executor.cores=1",
                "--conf",
                "spark.cores.max=" + WORKERS,
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
                mnist()));
        args.addAll(jobArgs);
        return processes.startJava(
                driverOpts,
                sparkCp + PATH_SEP + appCp,
                "org.apache.spark.deploy.SparkSubmit",
                args,
                driverEnv,
                driverLog(name),
                false);
    }

    /** Waits for a driver started by {@link #submit} to end and returns its exit code; fails after {@code timeout}. */
    int awaitExit(Process driver, String name, Duration timeout) throws Exception {
        if (!driver.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            fail("the job " + name + " did not finish within " + timeout + "; driver log tail:\n"
                    + tail(driverLog(name)));
        }
        return driver.exitValue();
    }

    Path driverLog(String name) {
        return logs.resolve("driver-" + name + ".log");
    }

    Path masterLog() {
        return logs.resolve("master.log");
    }

    /** The work directory of Worker {@code w} (1-based): one directory per application, one per executor in it. */
    Path workerDir(int w) {
        return work.resolve("worker-" + w);
    }

    /** The JVM of Worker {@code w} (1-based); its executors are its child processes. */
    Process worker(int w) {
        return workers.get(w - 1);
    }

    /** {@code hdfs://127.0.0.1:PORT}, without a trailing slash. */
    String hdfs() {
        return hdfs;
    }

    /** MNIST on this cluster's HDFS. */
    String mnist() {
        return hdfs + "/data/mnist";
    }

    FileSystem fs() {
        return fs;
    }

    /** Time from {@link #start} until the Workers were registered and MNIST was on HDFS. */
    Duration startup() {
        return startup;
    }

    /** What runs wrote to this cluster's HDFS. */
    ClusterFiles files() {
        return new ClusterFiles(fs, hdfs);
    }

    /**
     * Stops every process (SIGTERM, then SIGKILL after a grace period), checks that none of the cluster's processes
     * survived, and deletes the bulky parts of the run directory (executor jar copies, HDFS storage), keeping the logs.
     */
    @Override
    public void close() throws IOException {
        List<ProcessHandle> alive;
        try {
            if (fs != null) {
                fs.close();
            }
        } finally {
            List<Long> killed = processes.stopAll();
            processes.close();
            alive = processes.leftovers(work);
            System.out.println("cluster IT: teardown done" + (killed.isEmpty() ? "" : ", SIGKILL needed for " + killed)
                    + "; logs in " + logs);
            for (String dir : List.of("worker-1", "worker-2", "hdfs", "spark-home")) {
                FileUtil.fullyDelete(work.resolve(dir).toFile());
            }
        }
        assertTrue(alive.isEmpty(), "processes left running: " + alive);
    }

    private static List<String> classpath(String file) throws IOException {
        Path f = ROOT.resolve("target/cluster-classpath").resolve(file);
        assertTrue(Files.isRegularFile(f), f + " is written by the dependency plugin at generate-test-resources");
        String text = Files.readString(f).trim();
        return text.isEmpty() ? List.of() : List.of(text.split(PATH_SEP));
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

    interface Check {
        boolean ok() throws IOException;
    }

    /** Polls {@code ready} until it holds; fails when {@code process} exits first or after the start timeout. */
    static void await(String what, Process process, Path log, Check ready) throws Exception {
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

    /** Group 1 of the first match of {@code pattern} in a log, or null. */
    static String find(Path log, Pattern pattern) throws IOException {
        if (!Files.exists(log)) {
            return null;
        }
        Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1) : null;
    }

    /** The number of lines of a log that contain {@code text}. */
    static long count(Path log, String text) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.ISO_8859_1))) {
            return r.lines().filter(l -> l.contains(text)).count();
        }
    }

    /** The last 60 lines of a log. */
    static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
