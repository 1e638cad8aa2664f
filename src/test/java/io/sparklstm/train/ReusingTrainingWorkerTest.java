package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.data.Minibatches;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A task thread's network kept from round to round: reused only for the same configuration but for its counters,
 * and then trained to the same bits as the network dl4j-spark would have built from the round's broadcast.
 */
class ReusingTrainingWorkerTest {

    private final byte[] pixels = Mnist.imageBytes("train-images-idx3-ubyte", 64);
    private final byte[] labels = Mnist.labelBytes("train-labels-idx1-ubyte", 64);

    @Test
    void theNextRoundReusesTheNetworkAndTrainsAsAFreshOneWould() {
        JavaSparkContext sc = TestSpark.context();
        // the job's own network: dropout, the exponential schedule inside FastAdam, FastLSTM
        MultiLayerNetwork driver = Fixtures.seedNetwork("--dropout", "0.2", "--lr-schedule", "exponential")
                .newNetwork();
        MultiLayerNetwork first = worker(sc, driver).getInitialModel();
        first.fit(batch(0)); // the first round trains: its parameters, state and counters move on

        driver.fit(batch(32)); // the driver's next state: other parameters, Adam state and counters
        driver.getLayerWiseConfigurations().setEpochCount(3);
        MultiLayerNetwork second = worker(sc, driver).getInitialModel();

        assertSame(first, second, "same configuration but for the counters: the network is reused");
        assertArrayEquals(driver.params().toFloatVector(), second.params().toFloatVector());
        assertArrayEquals(
                driver.getUpdater().getStateViewArray().toFloatVector(),
                second.getUpdater().getStateViewArray().toFloatVector());
        assertEquals(driver.getIterationCount(), second.getIterationCount());
        assertEquals(3, second.getEpochCount());

        MultiLayerNetwork fresh =
                new MultiLayerNetwork(driver.getLayerWiseConfigurations().clone());
        fresh.init(driver.params().dup(), false);
        fresh.setUpdater(new MultiLayerUpdater(
                fresh, driver.getUpdater().getStateViewArray().dup()));
        for (int step = 0; step < 3; step++) {
            Nd4j.getRandom().setSeed(100 + step); // the same dropout masks, as RandomStreamHook makes them
            second.fit(batch(step % 2 * 32));
            Nd4j.getRandom().setSeed(100 + step);
            fresh.fit(batch(step % 2 * 32));
        }
        assertArrayEquals(fresh.params().toFloatVector(), second.params().toFloatVector(), "parameters");
        assertArrayEquals(
                fresh.getUpdater().getStateViewArray().toFloatVector(),
                second.getUpdater().getStateViewArray().toFloatVector(),
                "Adam state");
    }

    /**
     * On a cluster every round's configuration arrives as a new copy, so a learning rate the driver changed (the
     * cosine schedule does, before every round) makes a configuration that is not equal to the kept one. (In local
     * mode the copies share the driver's updater configuration, as dl4j-spark's own clones do, and see the change.)
     */
    @Test
    void anotherLearningRateOrNetworkGetsANewNetwork() {
        JavaSparkContext sc = TestSpark.context();
        MultiLayerNetwork driver =
                Fixtures.seedNetwork("--lr-schedule", "cosine").newNetwork();
        MultiLayerNetwork first = worker(sc, driver).getInitialModel();
        MultiLayerNetwork slower = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                driver.getLayerWiseConfigurations().toJson()));
        slower.init(driver.params().dup(), false);
        slower.setLearningRate(1e-4);
        MultiLayerNetwork second = worker(sc, slower).getInitialModel();
        assertNotSame(first, second);
        assertEquals(1e-4, second.getLearningRate(0), 1e-12);

        MultiLayerNetwork other = Fixtures.smallNetwork().newNetwork();
        MultiLayerNetwork third = worker(sc, other).getInitialModel();
        assertNotSame(second, third);
        assertArrayEquals(other.params().toFloatVector(), third.params().toFloatVector());
    }

    private static ReusingTrainingWorker worker(JavaSparkContext sc, MultiLayerNetwork driver) {
        Broadcast<NetBroadcastTuple> round = sc.broadcast(new NetBroadcastTuple(
                driver.getLayerWiseConfigurations(),
                driver.params(),
                driver.getUpdater().getStateViewArray()));
        return new ReusingTrainingWorker(
                round, true, new WorkerConfiguration(false, 32, 32, 5, 0, false), null, null, null);
    }

    private DataSet batch(int first) {
        return Minibatches.of(pixels, labels, first, 32);
    }
}
