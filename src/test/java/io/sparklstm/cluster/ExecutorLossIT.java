package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An executor JVM killed with SIGKILL in the middle of an epoch, on the real standalone cluster of {@link
 * StandaloneCluster}. The test first trains an uninterrupted run, then the same settings again, and kills the executor
 * of Worker 1 while it runs a training task about half-way through epoch 1. Spark re-runs the lost task, the Master
 * launches a replacement executor on the Worker, and the job completes in the same attempt: it publishes (exit 0 or
 * 3), metrics.json counts the lost executor and the retried task, provenance.json names the lost executor, and
 * model.zip holds the same parameters and Adam state as the uninterrupted run's.
 */
class ExecutorLossIT {

    private static final String STORE = "/sparklstm";
    private static final String UNINTERRUPTED = "uninterrupted";
    private static final String LOST = "executor-lost";
    private static final int VICTIM_WORKER = 1;
    /**
     * 3,000 images are 47 minibatches of 64: with 2 workers and averaging every 2 minibatches, 12 rounds per epoch,
     * one task per executor and round. The victim is killed half-way through its 6th training task (or a later one,
     * if that one ends before this test sees it run): mid-way through epoch 1.
     */
    private static final int KILL_AT_TASK = 6;

    private static final double TOLERANCE = 1e-6;
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(150);

    private StandaloneCluster cluster;

    /** The executor JVM that is killed, of application {@code appId}. */
    private record Victim(String appId, ExecutorKill.Victim executor) {}

    @BeforeEach
    void setUp() throws IOException {
        cluster = new StandaloneCluster();
    }

    @AfterEach
    void tearDown() throws IOException {
        cluster.close();
    }

    @Test
    void anExecutorKilledMidEpochIsReplacedAndTheTrainedParametersAreUnchanged() throws Exception {
        Instant t0 = Instant.now();
        cluster.start();

        Instant submitted = Instant.now();
        int uninterruptedExit =
                cluster.awaitExit(cluster.submit(UNINTERRUPTED, job(UNINTERRUPTED)), UNINTERRUPTED, JOB_TIMEOUT);
        Duration uninterruptedJob = Duration.between(submitted, Instant.now());
        assertPublished(UNINTERRUPTED, uninterruptedExit);
        Set<String> earlierApps = apps(VICTIM_WORKER);

        submitted = Instant.now();
        Process driver = cluster.submit(LOST, job(LOST));
        Path driverLog = cluster.driverLog(LOST);
        StandaloneCluster.await(
                "training of " + LOST,
                driver,
                driverLog,
                () -> StandaloneCluster.count(driverLog, "Train: Training ") > 0);
        Victim victim = victim(earlierApps, driver);
        String killedTask = ExecutorKill.killDuringTask(
                victim.executor(), KILL_AT_TASK, JOB_TIMEOUT, driver::isAlive, () -> StandaloneCluster.tail(driverLog));
        int lostExit = cluster.awaitExit(driver, LOST, JOB_TIMEOUT);
        Duration lostJob = Duration.between(submitted, Instant.now());
        assertPublished(LOST, lostExit);

        // The task really was cut short: the victim's log shows it started and never ended.
        ExecutorKill.Tasks tasks = ExecutorKill.tasks(victim.executor().stderr());
        assertTrue(tasks.started().contains(killedTask), killedTask + " started on the victim");
        assertFalse(tasks.ended().contains(killedTask), "TID " + killedTask + " ended before the kill");

        // Spark noticed, re-ran the lost task and the Master replaced the executor; the job did not start over.
        assertTrue(
                StandaloneCluster.count(
                                driverLog, "Lost executor " + victim.executor().executorId() + " ")
                        > 0,
                "the driver reports executor " + victim.executor().executorId() + " lost:\n"
                        + StandaloneCluster.tail(driverLog));
        assertTrue(
                StandaloneCluster.count(driverLog, "(TID " + killedTask + ")") > 0
                        && StandaloneCluster.count(driverLog, "ExecutorLostFailure") > 0,
                "the driver reports TID " + killedTask + " lost:\n" + StandaloneCluster.tail(driverLog));
        String retry = ExecutorKill.retryOf(tasks.names().get(killedTask));
        assertTrue(finishedOnSomeExecutor(victim.appId(), retry), "task " + retry + " (the retry) finished");
        long executorsLaunched =
                StandaloneCluster.count(cluster.masterLog(), "Launching executor " + victim.appId() + "/");
        assertTrue(
                executorsLaunched > StandaloneCluster.WORKERS,
                "the Master launched a replacement executor: " + executorsLaunched + " launched for " + victim.appId());

        JsonNode metrics = cluster.files().readJson(file(LOST, "metrics.json"));
        JsonNode provenance = cluster.files().readJson(file(LOST, "provenance.json"));
        int executorsLost = metrics.path("executorsLost").asInt(-1);
        int taskRetries = metrics.path("taskRetries").asInt(-1);
        assertTrue(executorsLost >= 1, "executorsLost in " + metrics);
        assertTrue(taskRetries >= 1, "taskRetries in " + metrics);
        JsonNode lostExecutors = provenance.path("lostExecutors");
        assertTrue(
                lostExecutors.isObject() && lostExecutors.has(victim.executor().executorId()),
                "provenance.json's lostExecutors names executor "
                        + victim.executor().executorId() + ": " + lostExecutors);
        assertTrue(provenance.path("resumedFromEpoch").isNull(), "one attempt, no resume: " + provenance);
        assertEquals(2, metrics.path("epochs").size(), "epochs in " + metrics);

        JsonNode reference = cluster.files().readJson(file(UNINTERRUPTED, "metrics.json"));
        assertEquals(0, reference.path("executorsLost").asInt(-1), "the uninterrupted run lost no executor");
        assertEquals(0, reference.path("taskRetries").asInt(-1), "the uninterrupted run retried no task");

        // The same parameters and Adam state as the uninterrupted run's.
        MultiLayerNetwork expected = cluster.files().readModel(file(UNINTERRUPTED, "model.zip"));
        MultiLayerNetwork actual = cluster.files().readModel(file(LOST, "model.zip"));
        ExecutorKill.Differences diff = ExecutorKill.Differences.between(expected, actual);
        double paramsDiff = diff.parameters();
        double updaterDiff = diff.updater();
        Set<String> trainingExecutors = new TreeSet<>();
        metrics.path("trainingExecutors").forEach(n -> trainingExecutors.add(n.asText()));
        System.out.printf(
                "executor loss IT: startup %ds, uninterrupted job %ds (exit %d), job with executor %s killed in TID %s"
                        + " %ds (exit %d); executorsLost %d, taskRetries %d, lostExecutors %s, trainingExecutors %s,"
                        + " executors launched %d; max |parameter difference| %s, max |Adam state difference| %s,"
                        + " accuracy %s vs %s; total %ds%n",
                cluster.startup().toSeconds(),
                uninterruptedJob.toSeconds(),
                uninterruptedExit,
                victim.executor().executorId(),
                killedTask,
                lostJob.toSeconds(),
                lostExit,
                executorsLost,
                taskRetries,
                lostExecutors,
                trainingExecutors,
                executorsLaunched,
                paramsDiff,
                updaterDiff,
                reference.path("accuracy"),
                metrics.path("accuracy"),
                Duration.between(t0, Instant.now()).toSeconds());
        assertTrue(paramsDiff <= TOLERANCE, "max |parameter difference| " + paramsDiff);
        assertTrue(updaterDiff <= TOLERANCE, "max |Adam state difference| " + updaterDiff);
        assertEquals(expected.getIterationCount(), actual.getIterationCount(), "iterations");
    }

    private List<String> job(String runId) {
        return ExecutorKill.jobArgs(cluster.hdfs() + STORE, runId);
    }

    private org.apache.hadoop.fs.Path file(String runId, String name) {
        return new org.apache.hadoop.fs.Path(cluster.files().run(STORE, runId), name);
    }

    /** Published, promoted or not (the gate's rules are not under test): exit 0 or 3 and a complete run. */
    private void assertPublished(String runId, int exit) throws IOException {
        assertTrue(
                exit == 0 || exit == 3,
                runId + ": exit " + exit + "; driver log tail:\n" + StandaloneCluster.tail(cluster.driverLog(runId)));
        assertTrue(cluster.fs().exists(file(runId, "_SUCCESS")), "_SUCCESS of " + runId);
    }

    /** The application directories in a Worker's work directory. */
    private Set<String> apps(int worker) throws IOException {
        try (Stream<Path> apps = Files.list(cluster.workerDir(worker))) {
            return apps.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * The executor JVM of the new application on the victim's Worker: a child of the Worker's JVM running
     * CoarseGrainedExecutorBackend whose command line names the application and the executor.
     */
    private Victim victim(Set<String> earlierApps, Process driver) throws Exception {
        Path workerDir = cluster.workerDir(VICTIM_WORKER);
        Victim[] found = new Victim[1];
        StandaloneCluster.await("the executor on Worker " + VICTIM_WORKER, driver, cluster.driverLog(LOST), () -> {
            Set<String> apps = new LinkedHashSet<>(apps(VICTIM_WORKER));
            apps.removeAll(earlierApps);
            for (String app : apps) {
                try (Stream<Path> executors = Files.list(workerDir.resolve(app))) {
                    for (Path executor : executors.toList()) {
                        String id = executor.getFileName().toString();
                        Optional<ProcessHandle> process = cluster.worker(VICTIM_WORKER)
                                .toHandle()
                                .children()
                                .filter(p -> {
                                    String command = Processes.commandLine(p);
                                    return command.contains("CoarseGrainedExecutorBackend")
                                            && command.contains("--app-id " + app + " ")
                                            && command.contains("--executor-id " + id + " ");
                                })
                                .findFirst();
                        if (process.isPresent() && Files.exists(executor.resolve("stderr"))) {
                            found[0] = new Victim(
                                    app, new ExecutorKill.Victim(id, process.get(), executor.resolve("stderr")));
                            return true;
                        }
                    }
                }
            }
            return false;
        });
        return found[0];
    }

    /** Whether the log of any executor of the application shows the task finished. */
    private boolean finishedOnSomeExecutor(String appId, String task) throws IOException {
        for (int w = 1; w <= StandaloneCluster.WORKERS; w++) {
            Path app = cluster.workerDir(w).resolve(appId);
            if (!Files.isDirectory(app)) {
                continue;
            }
            try (Stream<Path> executors = Files.list(app)) {
                for (Path executor : executors.toList()) {
                    Path stderr = executor.resolve("stderr");
                    if (Files.exists(stderr)
                            && StandaloneCluster.count(stderr, "Finished task " + task + " (TID") > 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
