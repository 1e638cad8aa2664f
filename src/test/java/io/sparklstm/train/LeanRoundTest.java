package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.SeedNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lean averaging round ({@link RoundTask}, {@link RoundSum}), serialised as on a cluster and handed over in the
 * driver's JVM as in local mode ({@link LocalBroadcast}, {@link LocalResults}), against dl4j-spark's
 * {@code mapPartitions} and {@code treeAggregate}: the same parameters, Adam state, score and counters, and used
 * exactly where Spark would have built no aggregation tree.
 */
class LeanRoundTest {

    @TempDir
    Path tmp;

    @Test
    void twoWorkersTrainExactlyAsWithDl4jSparksRoundEvenWithAnIdleWorker() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        // 17 minibatches: two rounds of 2 x 4, then one of a single minibatch, which leaves one worker without any
        StagedSplit train = Mnist.stageTrain(sc, tmp, 17 * 16, 16);
        SeedNetwork seed = Fixtures.network(16, 1e-3, 42);
        TrainingSettings settings = Fixtures.settings(2, 16, 4, 0, 7);

        DistributedTrainer dl4j = new DistributedTrainer(sc, seed.newNetwork(), settings, null, RoundPath.DL4J);
        DistributedTrainer serialized =
                new DistributedTrainer(sc, seed.newNetwork(), settings, null, RoundPath.LEAN_SERIALIZED);
        DistributedTrainer lean = new DistributedTrainer(sc, seed.newNetwork(), settings, null, RoundPath.LEAN);
        long handedBefore = LocalResults.deposited();
        for (int epoch = 1; epoch <= 2; epoch++) {
            double dl4jLoss = dl4j.fitEpoch(epoch, train).loss();
            long handed = LocalResults.deposited();
            assertEquals(dl4jLoss, serialized.fitEpoch(epoch, train).loss(), 0.0, "serialized, loss of epoch " + epoch);
            assertEquals(handed, LocalResults.deposited(), "the serialized path hands nothing over");
            assertEquals(dl4jLoss, lean.fitEpoch(epoch, train).loss(), 0.0, "lean, mean loss of epoch " + epoch);
        }
        // local mode: every task with minibatches handed its result over (2 epochs x (2 rounds x 2 workers + 1)),
        // and nothing is left behind, neither results nor broadcasts
        assertEquals(10, LocalResults.deposited() - handedBefore, "results handed over in the driver's JVM");
        assertEquals(0, LocalResults.waiting(), "results left behind");
        assertEquals(0, LocalBroadcast.live(), "broadcasts left behind");

        assertSameTraining(dl4j.network(), serialized.network(), "serialized");
        assertSameTraining(dl4j.network(), lean.network(), "lean");
        assertEquals(
                true,
                lean.network()
                                .params()
                                .sub(seed.newNetwork().params())
                                .amaxNumber()
                                .doubleValue()
                        > 1e-3,
                "training moved the parameters");
    }

    private static void assertSameTraining(MultiLayerNetwork expected, MultiLayerNetwork actual, String path) {
        assertEquals(expected.getIterationCount(), actual.getIterationCount(), path + ": iterations");
        assertEquals(expected.getEpochCount(), actual.getEpochCount(), path + ": epochs");
        assertEquals(
                0.0,
                actual.params().sub(expected.params()).amaxNumber().doubleValue(),
                path + ": largest parameter difference");
        assertEquals(
                0.0,
                actual.getUpdater()
                        .getStateViewArray()
                        .sub(expected.getUpdater().getStateViewArray())
                        .amaxNumber()
                        .doubleValue(),
                path + ": largest Adam state difference");
    }

    /** Spark's own treeAggregate, counted in stages, decides the same as {@code flatAggregation} for 1-12 tasks. */
    @Test
    void flatAggregationIsWhereSparksTreeAggregateBuildsNoTree() throws Exception {
        JavaSparkContext sc = TestSpark.context();
        List<Integer> stages = new ArrayList<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                stages.add(job.stageIds().size());
            }
        };
        sc.sc().addSparkListener(listener);
        try {
            for (int tasks = 1; tasks <= 12; tasks++) {
                stages.clear();
                JavaRDD<Integer> values =
                        sc.parallelize(IntStream.range(0, 24).boxed().toList(), tasks);
                int total = values.treeAggregate(0, Integer::sum, Integer::sum, 2);
                assertEquals(276, total);
                sc.sc().listenerBus().waitUntilEmpty();
                boolean flat = stages.equals(List.of(1));
                assertEquals(flat, PlannedRoundsTrainingMaster.flatAggregation(tasks, 2), tasks + " tasks: " + stages);
            }
        } finally {
            sc.sc().removeSparkListener(listener);
        }
        assertEquals(true, PlannedRoundsTrainingMaster.flatAggregation(5, 2));
        assertEquals(false, PlannedRoundsTrainingMaster.flatAggregation(6, 2));
    }
}
