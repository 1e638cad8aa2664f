package io.sparklstm.model.fastlstm;

import static io.sparklstm.NetChecks.lossAndGradients;
import static io.sparklstm.NetChecks.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.config.LstmImplementation;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The seed network with dropout between its layers: FastLSTM draws the same masks as the stock LSTM (both apply DL4J's
 * inverted dropout to their input, from the same random stream), so with one seed both compute the same loss,
 * gradients and Adam steps; and dropout really changes the training-time function, never the inference one.
 */
@ExtendWith(Fp32Gemm.class)
class FastLSTMDropoutTest {

    private static final int UNITS = 16;
    private static final int BATCH = 12;

    @Test
    void sameLossAndGradientsAsStockUnderTheSameMasks() {
        MultiLayerNetwork stock = network(LstmImplementation.STOCK, 0.3);
        MultiLayerNetwork fast = sameWeights(LstmImplementation.FAST, 0.3, stock);
        DataSet batch = minibatch(1);

        double stockScore = lossAndGradients(stock, batch, 99);
        double fastScore = lossAndGradients(fast, batch, 99);

        assertEquals(stockScore, fastScore, 1e-4);
        double diff = maxAbsDiff(stock.getGradientsViewArray(), fast.getGradientsViewArray());
        assertTrue(diff < 1e-4, "max gradient difference " + diff);
    }

    @Test
    void sameParametersAfterAdamStepsWithDropout() {
        MultiLayerNetwork stock = network(LstmImplementation.STOCK, 0.3);
        MultiLayerNetwork fast = sameWeights(LstmImplementation.FAST, 0.3, stock);
        for (int i = 0; i < 4; i++) {
            DataSet batch = minibatch(10 + i);
            Nd4j.getRandom().setSeed(500 + i);
            stock.fit(batch);
            Nd4j.getRandom().setSeed(500 + i);
            fast.fit(batch);
        }
        double diff = maxAbsDiff(stock.params(), fast.params());
        assertTrue(diff < 1e-4, "max parameter difference after 4 steps " + diff);
    }

    @Test
    void dropoutActsInTrainingOnly() {
        MultiLayerNetwork plain = network(LstmImplementation.FAST, 0.0);
        MultiLayerNetwork dropped = sameWeights(LstmImplementation.FAST, 0.5, plain);
        DataSet batch = minibatch(3);

        assertEquals(0.0, maxAbsDiff(plain.output(batch.getFeatures()), dropped.output(batch.getFeatures())), 1e-6);
        double plainScore = lossAndGradients(plain, batch, 5);
        double droppedScore = lossAndGradients(dropped, batch, 5);
        assertTrue(
                Math.abs(plainScore - droppedScore) > 1e-3,
                "training loss with dropout 0.5 " + droppedScore + " vs without " + plainScore);
    }

    @Test
    void trainsAfterJsonRoundTripAsOnSparkWorkers() {
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                Fixtures.smallNetwork("--lstm-units", String.valueOf(UNITS), "--dropout", "0.3")
                        .configuration()
                        .toJson()));
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(minibatch(i));
        }
    }

    /**
     * dl4j-spark builds each worker's network from a clone of one configuration, and DL4J's clone of the
     * {@code LastTimeStep} wrapper shares the wrapped layer's configuration, dropout included; two workers in one JVM
     * must still each backpropagate through their own mask.
     */
    @Test
    void workersBuiltFromOneConfigurationKeepTheirOwnMasks() throws Exception {
        MultiLayerConfiguration conf = Fixtures.smallNetwork("--lstm-units", String.valueOf(UNITS), "--dropout", "0.5")
                .configuration();
        Layer a = lastLstm(conf.clone());
        Layer b = lastLstm(conf.clone());
        INDArray x = LstmNets.features(BATCH, UNITS, 28, DataType.FLOAT, 1);
        INDArray eps = LstmNets.labels(BATCH, UNITS, DataType.FLOAT, 2);
        ExecutorService workerA = Executors.newSingleThreadExecutor();
        ExecutorService workerB = Executors.newSingleThreadExecutor();
        try {
            INDArray alone = workerA.submit(() -> {
                        forward(a, x, 1);
                        return backward(a, eps);
                    })
                    .get();

            workerA.submit(() -> forward(a, x, 1)).get();
            workerB.submit(() -> forward(b, x, 2)).get(); // the other worker's forward pass in between
            INDArray interleaved = workerA.submit(() -> backward(a, eps)).get();
            INDArray other = workerB.submit(() -> backward(b, eps)).get();

            assertEquals(0.0, maxAbsDiff(alone, interleaved), 0.0);
            assertTrue(maxAbsDiff(alone, other) > 0, "different seeds must give different masks");
        } finally {
            workerA.shutdownNow();
            workerB.shutdownNow();
        }
    }

    /** The third LSTM layer, inside its {@code LastTimeStep} wrapper. */
    private static Layer lastLstm(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        return net.getLayer(2);
    }

    private static INDArray forward(Layer layer, INDArray x, long maskSeed) {
        Nd4j.getRandom().setSeed(maskSeed);
        return layer.activate(x.dup(), true, LayerWorkspaceMgr.noWorkspaces());
    }

    private static INDArray backward(Layer layer, INDArray eps) {
        return layer.backpropGradient(eps.dup(), LayerWorkspaceMgr.noWorkspaces())
                .getSecond()
                .dup();
    }

    private static MultiLayerNetwork network(LstmImplementation impl, double dropout) {
        return Fixtures.smallNetwork(
                        "--lstm-units",
                        String.valueOf(UNITS),
                        "--dropout",
                        String.valueOf(dropout),
                        "--lstm-impl",
                        String.valueOf(impl))
                .newNetwork();
    }

    private static MultiLayerNetwork sameWeights(LstmImplementation impl, double dropout, MultiLayerNetwork source) {
        MultiLayerNetwork net = network(impl, dropout);
        net.setParams(source.params().dup());
        return net;
    }

    private static DataSet minibatch(long seed) {
        return new DataSet(
                LstmNets.features(BATCH, 28, 28, DataType.FLOAT, seed),
                LstmNets.labels(BATCH, 10, DataType.FLOAT, seed));
    }
}
