package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job on a real YARN ({@link YarnCluster}: MiniYARNCluster with 2 NodeManagers beside MiniDFSCluster), submitted
 * by submit/yarn.sh with the shaded application jar, in both deploy modes. For each mode: a run the gate promotes
 * (exit 0), a run it refuses (exit 3) and a bad input (exit 2), each checked against what YARN's ResourceManager
 * reports (final status, one attempt) and what the NodeManagers ran (the driver in the ApplicationMaster's container
 * in cluster mode, executors in at least two containers). The promoted cluster-mode run is the reference: its
 * model.zip re-evaluates to its metrics.json's accuracy, and the client-mode run, whose executor is killed with
 * SIGKILL in the middle of epoch 1, must end with the same parameters. No process may be left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnIT {

    private static final String STORE = "/sparklstm-yarn";
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(240);
    private static final int TEST_LIMIT = 500;
    private static final double TOLERANCE = 1e-6;
    /** As in ExecutorLossIT: 12 averaging rounds per epoch, one task per executor and round. */
    private static final int KILL_AT_TASK = 6;

    private static final Pattern LOG_DIR = Pattern.compile("-Dspark\\.yarn\\.app\\.container\\.log\\.dir=(\\S+)");
    private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id (\\S+)");

    private static YarnCluster cluster;
    private static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void startYarn() throws Exception {
        cluster = new YarnCluster();
        cluster.start();
        figures.add("startup " + cluster.startup().toSeconds() + " s");
    }

    @AfterAll
    static void stopYarn() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            System.out.println("yarn IT: " + String.join("; ", figures));
        }
    }

    @Test
    @Order(1)
    void clusterModeReportsTheJobsExitCodesAndRunsTheDriverInTheApplicationMaster() throws Exception {
        // Exit 0: trained, promoted.
        Submission promoted = run("cluster-promoted", "cluster", job("cluster-promoted"));
        assertEquals(0, promoted.exit(), promoted.logTail());
        YarnApps.Report report = promoted.report();
        assertEquals("SUCCEEDED", report.finalStatus(), report.describe());
        assertEquals(1, report.attempts().size(), report.describe());
        Map<String, Path> containers = cluster.containerLogs(report.id());
        String am = report.amContainers().get(0);
        assertEquals(
                List.of(am),
                YarnCluster.containersRunning(containers, "org.apache.spark.deploy.yarn.ApplicationMaster"),
                "the ApplicationMaster ran in the AM container: " + containers.keySet());
        String amStdout = Files.readString(containers.get(am).resolve("stdout"));
        assertTrue(amStdout.contains("Test accuracy:"), "the driver printed its result in the AM container");
        assertFalse(
                Files.readString(cluster.submitLog("cluster-promoted")).contains("Test accuracy:"),
                "in cluster mode no driver runs beside spark-submit");
        assertTrue(executorContainers(containers).size() >= 2, "executor containers: " + containers.keySet());
        JsonNode metrics = cluster.files().readJson(file("cluster-promoted", "metrics.json"));
        MultiLayerNetwork model = cluster.files().readModel(file("cluster-promoted", "model.zip"));
        double accuracy = Mnist.testAccuracy(model, TEST_LIMIT);
        assertEquals(metrics.path("accuracy").asDouble(), accuracy, 1e-9, "model.zip re-evaluated");

        // Exit 3: trained and kept, refused by the gate.
        Submission refused = run("cluster-refused", "cluster", refusedJob("cluster-refused"));
        assertRefused(refused, "FAILED");
        assertTrue(
                refused.report().diagnostics().contains("User application exited with status 3"),
                refused.report().describe());

        // Exit 2: bad input, nothing written, not retried.
        // A bad option: refused before any SparkContext exists, the hard case for the ApplicationMaster (see Main).
        Submission bad = run("cluster-bad-input", "cluster", badOptionJob("cluster-bad-input"));
        assertBadInput(bad, "FAILED");
        figures.add(String.format(
                "cluster mode: exit 0 in %d s (accuracy %.4f, re-evaluated %.4f, %d executor containers), exit 3 in %d s,"
                        + " exit 2 in %d s",
                promoted.seconds(),
                metrics.path("accuracy").asDouble(),
                accuracy,
                executorContainers(containers).size(),
                refused.seconds(),
                bad.seconds()));
    }

    @Test
    @Order(2)
    void clientModeReportsTheJobsExitCodesAndSurvivesAKilledExecutor() throws Exception {
        org.apache.hadoop.fs.Path referenceModel = file("cluster-promoted", "model.zip");
        assertTrue(
                cluster.fs().exists(referenceModel), "the cluster-mode test ran first and published " + referenceModel);

        // Exit 0, with one executor JVM killed half-way through a training task of epoch 1.
        String name = "client-executor-lost";
        Instant t0 = Instant.now();
        Process submission = cluster.submit(name, "client", job(name));
        Path log = cluster.submitLog(name);
        StandaloneCluster.await(
                "training of " + name, submission, log, () -> StandaloneCluster.count(log, "Train: Training ") > 0);
        String appId = cluster.applicationId(name);
        ExecutorKill.Victim victim = victim(appId, submission, log);
        String killedTask = ExecutorKill.killDuringTask(
                victim, KILL_AT_TASK, JOB_TIMEOUT, submission::isAlive, () -> StandaloneCluster.tail(log));
        Submission lost = new Submission(name, cluster.awaitExit(submission, name, JOB_TIMEOUT), t0);
        assertEquals(0, lost.exit(), lost.logTail());
        YarnApps.Report report = lost.report();
        assertEquals("SUCCEEDED", report.finalStatus(), report.describe());
        assertEquals(1, report.attempts().size(), "the job was not rerun: " + report.describe());
        ExecutorKill.Tasks tasks = ExecutorKill.tasks(victim.stderr());
        assertFalse(tasks.ended().contains(killedTask), "TID " + killedTask + " ended before the kill");
        assertTrue(StandaloneCluster.count(log, "ExecutorLostFailure") > 0, "the driver reports the lost task");
        Map<String, Path> containers = cluster.containerLogs(appId);
        assertTrue(
                executorContainers(containers).size() >= 3,
                "two executors and the replacement of the killed one: " + containers.keySet());
        assertTrue(
                Files.readString(log).contains("Test accuracy:"), "in client mode the driver runs beside spark-submit");

        JsonNode metrics = cluster.files().readJson(file(name, "metrics.json"));
        JsonNode provenance = cluster.files().readJson(file(name, "provenance.json"));
        int executorsLost = metrics.path("executorsLost").asInt(-1);
        int taskRetries = metrics.path("taskRetries").asInt(-1);
        assertTrue(executorsLost >= 1, "executorsLost in " + metrics);
        assertTrue(taskRetries >= 1, "taskRetries in " + metrics);
        assertTrue(
                provenance.path("lostExecutors").has(victim.executorId()),
                "provenance names executor " + victim.executorId() + ": " + provenance.path("lostExecutors"));
        MultiLayerNetwork expected = cluster.files().readModel(referenceModel);
        MultiLayerNetwork actual = cluster.files().readModel(file(name, "model.zip"));
        ExecutorKill.Differences diff = ExecutorKill.Differences.between(expected, actual);
        double paramsDiff = diff.parameters();
        double updaterDiff = diff.updater();
        assertTrue(paramsDiff <= TOLERANCE, "max |parameter difference| " + paramsDiff);
        assertTrue(updaterDiff <= TOLERANCE, "max |Adam state difference| " + updaterDiff);

        Submission refused = run("client-refused", "client", refusedJob("client-refused"));
        // In client mode the ApplicationMaster only launches executors: it ends SUCCEEDED when the driver stops its
        // SparkContext, whatever the job's outcome; the exit code is the driver's, i.e. spark-submit's.
        assertRefused(refused, "SUCCEEDED");
        Submission bad = run("client-bad-input", "client", badInputJob("client-bad-input"));
        assertBadInput(bad, "SUCCEEDED");
        figures.add(String.format(
                "client mode: exit 0 in %d s with executor %s killed in TID %s (executorsLost %d, taskRetries %d, max"
                        + " |parameter difference| vs the cluster-mode run %s, Adam state %s), exit 3 in %d s, exit 2"
                        + " in %d s",
                lost.seconds(),
                victim.executorId(),
                killedTask,
                executorsLost,
                taskRetries,
                paramsDiff,
                updaterDiff,
                refused.seconds(),
                bad.seconds()));
    }

    /** A finished submission: yarn.sh's exit code, and its duration. */
    private record Submission(String name, int exit, Duration took) {

        Submission(String name, int exit, Instant started) {
            this(name, exit, Duration.between(started, Instant.now()));
        }

        long seconds() {
            return took.toSeconds();
        }

        YarnApps.Report report() throws Exception {
            return cluster.report(cluster.applicationId(name));
        }

        String logTail() throws IOException {
            return name + ": exit " + exit + "; log tail:\n" + StandaloneCluster.tail(cluster.submitLog(name));
        }
    }

    private static Submission run(String name, String mode, List<String> jobArgs) throws Exception {
        Instant t0 = Instant.now();
        int exit = cluster.awaitExit(cluster.submit(name, mode, jobArgs), name, JOB_TIMEOUT);
        return new Submission(name, exit, t0);
    }

    private static void assertRefused(Submission refused, String finalStatus) throws Exception {
        assertEquals(3, refused.exit(), refused.logTail());
        YarnApps.Report report = refused.report();
        assertEquals(finalStatus, report.finalStatus(), report.describe());
        assertEquals(1, report.attempts().size(), "a refusal is not retried: " + report.describe());
        assertTrue(cluster.fs().exists(file(refused.name(), "_SUCCESS")), "the refused run is kept");
    }

    private static void assertBadInput(Submission bad, String finalStatus) throws Exception {
        assertEquals(2, bad.exit(), bad.logTail());
        YarnApps.Report report = bad.report();
        assertEquals(finalStatus, report.finalStatus(), report.describe());
        assertEquals(1, report.attempts().size(), "a bad input is not retried: " + report.describe());
        assertFalse(cluster.fs().exists(cluster.files().run(STORE, bad.name())), "nothing written for " + bad.name());
    }

    /** The job's options, as ExecutorLossIT's. */
    private static List<String> job(String runId) {
        return ExecutorKill.jobArgs(cluster.hdfs() + STORE, runId);
    }

    /** A short run that the gate refuses: no model this small reaches 99.9 %. */
    private static List<String> refusedJob(String runId) {
        return List.of(
                "--output",
                cluster.hdfs() + STORE,
                "--run-id",
                runId,
                "--train-limit",
                "500",
                "--test-limit",
                String.valueOf(TEST_LIMIT),
                "--epochs",
                "1",
                "--workers",
                "2",
                "--lstm-units",
                "32",
                "--min-accuracy",
                "0.999");
    }

    /** Training data that does not exist: the job's preflight refuses it. */
    private static List<String> badInputJob(String runId) {
        return List.of(
                "--data",
                cluster.hdfs() + "/no/such/mnist",
                "--output",
                cluster.hdfs() + STORE,
                "--run-id",
                runId,
                "--epochs",
                "1");
    }

    /** An option value the command line refuses. */
    private static List<String> badOptionJob(String runId) {
        return List.of("--output", cluster.hdfs() + STORE, "--run-id", runId, "--epochs", "zero");
    }

    private static org.apache.hadoop.fs.Path file(String runId, String name) {
        return new org.apache.hadoop.fs.Path(cluster.files().run(STORE, runId), name);
    }

    /** The containers that ran an executor. */
    private static List<String> executorContainers(Map<String, Path> containers) throws IOException {
        return YarnCluster.containersRunning(containers, "org.apache.spark.executor.YarnCoarseGrainedExecutorBackend");
    }

    /**
     * An executor JVM of application {@code appId}: a descendant of the NodeManagers' JVM running
     * CoarseGrainedExecutorBackend for the application, with its container's log directory on its command line.
     */
    private static ExecutorKill.Victim victim(String appId, Process submission, Path log) throws Exception {
        ExecutorKill.Victim[] found = new ExecutorKill.Victim[1];
        StandaloneCluster.await("an executor of " + appId, submission, log, () -> {
            Optional<ProcessHandle> executor = cluster.hadoop()
                    .toHandle()
                    .descendants()
                    .filter(p -> {
                        String command = Processes.commandLine(p);
                        return command.startsWith(Processes.java() + " ") // the JVM, not the bash -c that starts it
                                && command.contains("CoarseGrainedExecutorBackend")
                                && command.contains("--app-id " + appId);
                    })
                    .findFirst();
            if (executor.isEmpty()) {
                return false;
            }
            String command = Processes.commandLine(executor.get());
            Matcher dir = LOG_DIR.matcher(command);
            Matcher id = EXECUTOR_ID.matcher(command);
            assertTrue(dir.find() && id.find(), "executor command line: " + command);
            Path stderr = Path.of(dir.group(1)).resolve("stderr");
            if (!Files.exists(stderr)) {
                return false;
            }
            found[0] = new ExecutorKill.Victim(id.group(1), executor.get(), stderr);
            return true;
        });
        assertNotNull(found[0]);
        return found[0];
    }
}
