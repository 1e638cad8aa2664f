package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparklstm.Mnist;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;

/**
 * A real YARN on this machine for the YARN integration tests: HDFS (MiniDFSCluster, 2 DataNodes) and YARN
 * (MiniYARNCluster, a ResourceManager and 2 NodeManagers whose containers are processes of their own) in one JVM
 * ({@link MiniHdfs} with {@code --nodemanagers 2}), MNIST on HDFS under {@code /data/mnist}, and jobs submitted the
 * way users submit them: {@code submit/yarn.sh} with {@code HADOOP_CONF_DIR} pointing at the generated client
 * configuration, {@code SPARK_HOME} at target/spark-home (bin/spark-submit and the Spark + Hadoop jars, installed on
 * every node: {@code spark.yarn.jars=local:...}), and the shaded application jar, which spark-submit uploads to the
 * application's staging directory on HDFS.
 *
 * <p>Everything lives in {@code target/yarn-it/run-<millis>/}: the processes' logs in {@code logs/}, YARN's work
 * directory (container logs per application and container, kept after an application ends) in {@code target/yarn}.
 * {@link #close} stops every process it started, their descendants (the containers) included, and fails if any is
 * still alive afterwards.
 */
final class YarnCluster implements AutoCloseable {

    static final Path ROOT = SubmitScripts.ROOT;
    static final int NODE_MANAGERS = 2;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern APPLICATION = Pattern.compile("application_\\d+_\\d+");

    private final Path work;
    private final Path logs;
    private final Path confDir;
    private final Path jobConf;
    private final Processes processes = new Processes();
    private Process hadoop;
    private String hdfs;
    private FileSystem fs;
    private Configuration client;
    private Duration startup;

    YarnCluster() throws IOException {
        work = ROOT.resolve("target/yarn-it/run-" + System.currentTimeMillis());
        logs = Files.createDirectories(work.resolve("logs"));
        confDir = work.resolve("hadoop-conf");
        jobConf = work.resolve("conf");
    }

    /** Starts HDFS and YARN and uploads MNIST; {@link #close} stops whatever did start. */
    void start() throws Exception {
        Instant t0 = Instant.now();
        Path jar = appJar();
        assertTrue(Files.isExecutable(sparkHome().resolve("bin/spark-submit")), "target/spark-home: run mvn package");
        assertTrue(Files.isRegularFile(jar), jar + ": run mvn package");
        writeJobConf();
        Path uriFile = work.resolve("hdfs.uri");
        List<String> cmd = new ArrayList<>(List.of(Processes.java(), "-Xmx1g"));
        cmd.addAll(SubmitScripts.java17Opens());
        cmd.addAll(List.of(
                "-Dlog4j2.configurationFile=file:" + ROOT.resolve("conf/log4j2.properties"),
                "-cp",
                ROOT.resolve("target/test-classes")
                        + File.pathSeparator
                        + Files.readString(ROOT.resolve("target/cluster-classpath/test.txt"))
                                .trim(),
                MiniHdfs.class.getName(),
                "--base-dir",
                work.resolve("hdfs").toString(),
                "--datanodes",
                "2",
                "--nodemanagers",
                String.valueOf(NODE_MANAGERS),
                "--nm-memory-mb",
                "8192",
                "--conf-dir",
                confDir.toString(),
                "--uri-file",
                uriFile.toString(),
                "--exit-on-stdin-close"));
        hadoop = processes.start(cmd, Map.of("JAVA_HOME", javaHome()), logs.resolve("hadoop.log"), true, work);
        StandaloneCluster.await("HDFS and YARN", hadoop, logs.resolve("hadoop.log"), () -> Files.exists(uriFile));
        hdfs = Files.readString(uriFile).trim();
        client = new Configuration();
        for (String site : List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml")) {
            client.addResource(
                    new org.apache.hadoop.fs.Path(confDir.resolve(site).toUri()));
        }
        fs = FileSystem.newInstance(URI.create(hdfs), client);
        MiniHdfs.upload(fs, Mnist.dir(), new org.apache.hadoop.fs.Path("/data/mnist"));
        startup = Duration.between(t0, Instant.now());
    }

    /**
     * Runs {@code submit/yarn.sh} in {@code deployMode} ("cluster" or "client"), application name {@code name},
     * output in {@link #submitLog}; {@code jobArgs} follow the job's {@code --data} option (MNIST on this HDFS). Two
     * executors of one core, 1 GB heap and 2 GB overhead each; one ApplicationMaster attempt (yarn.sh's default).
     */
    Process submit(String name, String deployMode, List<String> jobArgs) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", sparkHome().toString());
        env.put("CONF_DIR", jobConf.toString());
        env.put("HADOOP_CONF_DIR", confDir.toString());
        env.put("JAVA_HOME", javaHome());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("DEPLOY_MODE", deployMode);
        env.put("APP_NAME", name);
        env.put("NUM_EXECUTORS", "2");
        env.put("EXECUTOR_CORES", "1");
        env.put("EXECUTOR_MEMORY", "1g");
        env.put("EXECUTOR_MEMORY_OVERHEAD", "2g");
        env.put("DRIVER_MEMORY", "1g");
        env.put("DRIVER_MEMORY_OVERHEAD", "2g");
        env.put("OMP_NUM_THREADS", "1");
        env.put(
                "EXTRA_SPARK_ARGS",
                String.join(
                        " ",
                        "--conf spark.yarn.jars=local:" + sparkHome().resolve("jars") + "/*",
                        "--conf spark.hadoop.dfs.replication=2",
                        "--conf spark.scheduler.minRegisteredResourcesRatio=1.0",
                        "--conf spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                        "--conf spark.executorEnv.OMP_NUM_THREADS=1"));
        List<String> cmd =
                new ArrayList<>(List.of("bash", ROOT.resolve("submit/yarn.sh").toString()));
        cmd.add("--data");
        cmd.add(hdfs + "/data/mnist");
        cmd.addAll(jobArgs);
        return processes.start(cmd, env, submitLog(name), false, null);
    }

    /** Waits for a submission of {@link #submit} to end and returns its exit code; fails after {@code timeout}. */
    int awaitExit(Process submission, String name, Duration timeout) throws Exception {
        if (!submission.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            fail("the job " + name + " did not finish within " + timeout + "; log tail:\n"
                    + StandaloneCluster.tail(submitLog(name)));
        }
        return submission.exitValue();
    }

    /** The output of submit/yarn.sh (spark-submit's, and the driver's in client mode). */
    Path submitLog(String name) {
        return logs.resolve("submit-" + name + ".log");
    }

    /** The YARN application id that spark-submit printed for submission {@code name}. */
    String applicationId(String name) throws IOException {
        Matcher m = APPLICATION.matcher(Files.readString(submitLog(name)));
        assertTrue(m.find(), "no application id in " + submitLog(name));
        return m.group();
    }

    /** What the ResourceManager reports of {@code applicationId} once it has ended (see {@link YarnApps#ended}). */
    YarnApps.Report report(String applicationId) throws Exception {
        try (YarnApps yarn = new YarnApps(client)) {
            return yarn.ended(applicationId);
        }
    }

    /**
     * The log directories of the application's containers on every NodeManager (DefaultContainerExecutor keeps
     * them after the application ended): container id to directory, holding the container's stdout and stderr.
     */
    Map<String, Path> containerLogs(String applicationId) throws IOException {
        Map<String, Path> containers = new HashMap<>();
        try (Stream<Path> dirs = Files.walk(work.resolve("target"), 8)) {
            for (Path app : dirs.filter(d -> d.getFileName().toString().equals(applicationId))
                    .filter(d -> d.getParent().getFileName().toString().contains("logDir"))
                    .toList()) {
                try (Stream<Path> list = Files.list(app)) {
                    list.filter(Files::isDirectory)
                            .forEach(c -> containers.put(c.getFileName().toString(), c));
                }
            }
        }
        return containers;
    }

    /**
     * The containers of {@code containerLogs} that ran {@code mainClass} (a NodeManager keeps each container's
     * launch_container.sh, which holds the JVM's command line, beside its logs).
     */
    static List<String> containersRunning(Map<String, Path> containerLogs, String mainClass) throws IOException {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Path> c : containerLogs.entrySet()) {
            Path launch = c.getValue().resolve("launch_container.sh");
            if (Files.exists(launch) && Files.readString(launch).contains(mainClass)) {
                found.add(c.getKey());
            }
        }
        return found.stream().sorted().toList();
    }

    /** The JVM of HDFS and YARN; the containers are its descendants. */
    Process hadoop() {
        return hadoop;
    }

    String hdfs() {
        return hdfs;
    }

    FileSystem fs() {
        return fs;
    }

    Duration startup() {
        return startup;
    }

    /** What runs wrote to this HDFS. */
    ClusterFiles files() {
        return new ClusterFiles(fs, hdfs);
    }

    /** Stops everything, checks that nothing of this cluster survived, and deletes HDFS's storage (logs stay). */
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
            System.out.println("yarn IT: teardown done" + (killed.isEmpty() ? "" : ", SIGKILL needed for " + killed)
                    + "; logs in " + logs);
            FileUtil.fullyDelete(work.resolve("hdfs").toFile());
        }
        assertTrue(alive.isEmpty(), "processes left running: " + alive);
    }

    /**
     * The job's CONF_DIR for these tests: the project's conf/ (spark-defaults.conf, log4j2.properties) with Spark's
     * executors and YARN client and allocator logging at INFO, which the tests read: the tasks an executor runs, the
     * containers the ApplicationMaster asks for.
     */
    private void writeJobConf() throws IOException {
        Files.createDirectories(jobConf);
        Files.copy(ROOT.resolve("conf/spark-defaults.conf"), jobConf.resolve("spark-defaults.conf"));
        Files.writeString(
                jobConf.resolve("log4j2.properties"),
                Files.readString(ROOT.resolve("conf/log4j2.properties"))
                        + "\nlogger.itexecutor.name = org.apache.spark.executor\nlogger.itexecutor.level = info\n"
                        + "logger.ityarn.name = org.apache.spark.deploy.yarn\nlogger.ityarn.level = info\n");
    }

    static Path sparkHome() {
        return ROOT.resolve("target/spark-home");
    }

    static Path appJar() throws Exception {
        return SubmitScripts.builtJar(ROOT);
    }

    private static String javaHome() {
        return System.getProperty("java.home");
    }
}
