package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.JobRuns;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.SeedNetwork;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default master retries a failed task as a cluster does ({@code local[N,F]}): a training task that
 * fails once (injected the way Spark's FailureSuite does) is re-run, and the trained parameters are identical to those
 * of an uninterrupted run: no minibatch lost or counted twice, the same dropout masks.
 */
class TaskRetryTest {

    @TempDir
    Path tmp;

    private static MultiLayerNetwork train(JavaSparkContext sc, StagedSplit split, String fault) {
        SeedNetwork seed = Fixtures.smallNetwork("--dropout", "0.3");
        TrainingSettings settings = Fixtures.twoWorkers("--augment-shift", "2");
        if (fault != null) {
            System.setProperty(FaultInjection.PROPERTY, fault);
        }
        try {
            DistributedTrainer trainer = new DistributedTrainer(sc, seed.newNetwork(), settings);
            trainer.fitEpoch(1, split);
            return trainer.network();
        } finally {
            System.clearProperty(FaultInjection.PROPERTY);
        }
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTrainingIsUnchanged() throws Exception {
        JavaSparkContext sc = TestSpark.context();
        assertTrue(sc.master().matches("local\\[\\d+,\\d+]"), "the test context retries tasks: " + sc.master());
        StagedSplit split = Mnist.stageTrain(sc, tmp, 1280, 32);

        MultiLayerNetwork uninterrupted = train(sc, split, null);

        AtomicInteger failedTasks = new AtomicInteger();
        SparkListener failures = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() instanceof TaskFailedReason) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        sc.sc().addSparkListener(failures);
        FailOnceHook.rearm();
        MultiLayerNetwork retried;
        try {
            retried = train(sc, split, FailOnceHook.POINT);
        } finally {
            sc.sc().listenerBus().waitUntilEmpty();
            sc.sc().removeSparkListener(failures);
        }

        assertEquals(1, failedTasks.get(), "exactly one task attempt failed and was retried");
        assertEquals(
                0.0, retried.params().sub(uninterrupted.params()).amaxNumber().doubleValue(), 0.0);
        assertEquals(uninterrupted.getIterationCount(), retried.getIterationCount());
    }

    @Test
    void theJobRecordsTheRetriedTaskInItsMetrics() throws Exception {
        Path store = tmp.resolve("store");
        FailOnceHook.rearm();
        int code = JobRuns.withFault(FailOnceHook.POINT, () -> JobRuns.run(JobRuns.smallRunArgs(store, "retried")));

        assertTrue(code == 0 || code == 3, "exit " + code);
        com.fasterxml.jackson.databind.JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(store.resolve("runs/retried/metrics.json").toFile());
        assertEquals(1, metrics.path("taskRetries").asInt(), metrics.toString());
        assertEquals(0, metrics.path("executorsLost").asInt());
    }
}
