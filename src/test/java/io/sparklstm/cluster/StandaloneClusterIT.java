package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.Mnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job on a real multi-process cluster ({@link StandaloneCluster}): HDFS (MiniDFSCluster, 2 DataNodes) in its own
 * JVM, a Spark standalone Master and two Workers (one executor JVM each, 1 core), the driver as a spark-submit JVM in
 * client deploy mode, data read from and model + metrics written to HDFS. Then model.zip is read back from HDFS,
 * evaluated here on the same test slice, and must score the accuracy metrics.json records; metrics.json's
 * trainingExecutors must name both executors, and each must be the one of a different Worker.
 */
class StandaloneClusterIT {

    private static final int TRAIN_LIMIT = 1500;
    private static final int TEST_LIMIT = 500;
    private static final String NAME = "sparklstm-it";
    private static final String RUN_ID = "it-standalone";
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(300);

    private StandaloneCluster cluster;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new StandaloneCluster();
    }

    @AfterEach
    void tearDown() throws IOException {
        cluster.close();
    }

    @Test
    void trainsOnTwoExecutorJvmsWithDataAndModelOnHdfs() throws Exception {
        cluster.start();
        Process driver = cluster.submit(
                NAME,
                List.of(
                        "--output",
                        cluster.hdfs() + "/sparklstm",
                        "--run-id",
                        RUN_ID,
                        "--train-limit",
                        String.valueOf(TRAIN_LIMIT),
                        "--test-limit",
                        String.valueOf(TEST_LIMIT),
                        "--epochs",
                        "1",
                        "--workers",
                        "2",
                        // re-evaluated below in this JVM with the same engine (see Mnist.testAccuracy)
                        "--gemm",
                        "onednn"));
        Instant submitted = Instant.now();
        int exit = cluster.awaitExit(driver, NAME, JOB_TIMEOUT);
        Duration job = Duration.between(submitted, Instant.now());
        assertEquals(0, exit, "job exit code; driver log tail:\n" + StandaloneCluster.tail(cluster.driverLog(NAME)));

        // What the run published on HDFS.
        org.apache.hadoop.fs.Path run = cluster.files().run("/sparklstm", RUN_ID);
        for (String name : List.of("model.zip", "metrics.json", "config.json", "_SUCCESS")) {
            assertTrue(cluster.fs().exists(new org.apache.hadoop.fs.Path(run, name)), name + " in " + run);
        }
        JsonNode metrics = cluster.files().readJson(new org.apache.hadoop.fs.Path(run, "metrics.json"));
        assertEquals(TRAIN_LIMIT, metrics.get("trainExamples").asInt());
        assertEquals(TEST_LIMIT, metrics.get("testExamples").asInt());

        // Both executors trained, and they are the executors of two different Workers (two JVMs).
        Set<String> executors = new TreeSet<>();
        metrics.get("trainingExecutors").forEach(n -> executors.add(n.asText()));
        assertEquals(2, executors.size(), "trainingExecutors " + executors);
        assertTrue(!executors.contains("driver"), "training ran in the driver: " + executors);
        Set<String> workersOfExecutors = new LinkedHashSet<>();
        for (String id : executors) {
            for (int w = 1; w <= StandaloneCluster.WORKERS; w++) {
                try (Stream<Path> apps = Files.list(cluster.workerDir(w))) {
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
        MultiLayerNetwork model = cluster.files().readModel(new org.apache.hadoop.fs.Path(run, "model.zip"));
        double accuracy = Mnist.testAccuracy(model, TEST_LIMIT);
        double recorded = metrics.get("accuracy").asDouble();
        System.out.printf(
                "cluster IT: startup %ds, job %ds, executors %s, accuracy recorded %.4f, re-evaluated %.4f%n",
                cluster.startup().toSeconds(), job.toSeconds(), executors, recorded, accuracy);
        assertEquals(recorded, accuracy, 1e-9, "accuracy of model.zip re-evaluated on the test slice");
        assertTrue(accuracy > 0.2, "one epoch on 1500 examples beats chance (0.1): " + accuracy);
    }
}
