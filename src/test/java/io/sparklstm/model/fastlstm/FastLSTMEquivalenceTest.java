package io.sparklstm.model.fastlstm;

import static io.sparklstm.NetChecks.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

/** FastLSTM against DL4J's stock LSTM with the same parameters: activations, gradients and Adam training. */
@ExtendWith(Fp32Gemm.class)
class FastLSTMEquivalenceTest {

    private static final double TOL = 1e-4;

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void smallNetworkSameActivationsAndGradients(DataType type) {
        assertEquivalent(7, 16, 5, 9, 5, type);
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void realDimensionsSameActivationsAndGradients(DataType type) {
        assertEquivalent(28, 128, 10, 28, 3, type);
    }

    @Test
    void freshNetworksWithSameSeedHaveIdenticalParameters() {
        MultiLayerNetwork stock = LstmNets.net(false, 7, 16, 5, 9, DataType.FLOAT, new NoOp(), 42);
        MultiLayerNetwork fast = LstmNets.net(true, 7, 16, 5, 9, DataType.FLOAT, new NoOp(), 42);
        assertArrayEquals(stock.params().shape(), fast.params().shape());
        assertEquals(stock.paramTable().keySet(), fast.paramTable().keySet());
        assertEquals(0.0, maxAbsDiff(stock.params(), fast.params()), 0.0);
        // forget-gate bias block [n, 2n) starts at 1, the rest of b at 0
        INDArray b = fast.getParam("0_b");
        assertEquals(16.0, b.sumNumber().doubleValue(), 1e-6);
        assertEquals(
                16.0,
                b.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(16, 32))
                        .sumNumber()
                        .doubleValue(),
                1e-6);
    }

    @Test
    void firstLayerWithoutInputGradientGivesTheSameParameterGradients() {
        MultiLayerConfiguration skipping = LstmNets.conf(true, 7, 16, 5, 9, DataType.FLOAT, new NoOp(), 42);
        ((FastLSTM) skipping.getConf(0).getLayer()).setInputGradient(false);
        MultiLayerConfiguration computing = MultiLayerConfiguration.fromJson(skipping.toJson());
        ((FastLSTM) computing.getConf(0).getLayer()).setInputGradient(true);
        assertFalse(((FastLSTM) MultiLayerConfiguration.fromJson(skipping.toJson())
                        .getConf(0)
                        .getLayer())
                .isInputGradient());
        MultiLayerNetwork a = new MultiLayerNetwork(skipping);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(computing);
        b.init(a.params().dup(), false);
        INDArray x = LstmNets.features(8, 7, 9, DataType.FLOAT, 11);
        INDArray y = LstmNets.labels(8, 5, DataType.FLOAT, 11);

        assertEquals(LstmNets.gradient(b, x, y), LstmNets.gradient(a, x, y)); // the skipped product feeds nothing
        assertNull(a.calculateGradients(x, y, null, null).getSecond());
        INDArray inputGradient = b.calculateGradients(x, y, null, null).getSecond();
        assertArrayEquals(x.shape(), inputGradient.shape());
        assertTrue(inputGradient.norm2Number().doubleValue() > 0);
    }

    @Test
    void adamTrainingStepsGiveSameParameters() {
        int nIn = 7, hidden = 16, classes = 5, t = 9, batch = 8;
        MultiLayerNetwork stock = LstmNets.net(false, nIn, hidden, classes, t, DataType.FLOAT, new Adam(1e-2), 1);
        MultiLayerNetwork fast = LstmNets.net(true, nIn, hidden, classes, t, DataType.FLOAT, new Adam(1e-2), 2);
        fast.setParams(stock.params().dup());
        for (int i = 0; i < 5; i++) {
            DataSet ds = new DataSet(
                    LstmNets.features(batch, nIn, t, DataType.FLOAT, 100 + i),
                    LstmNets.labels(batch, classes, DataType.FLOAT, 100 + i));
            stock.fit(ds);
            fast.fit(ds);
            assertEquals(stock.score(), fast.score(), TOL, "score after step " + i);
        }
        System.out.printf("Adam x5: max |param diff| = %.3g%n", maxAbsDiff(stock.params(), fast.params()));
        assertTrue(
                maxAbsDiff(stock.params(), fast.params()) < TOL,
                "params differ by " + maxAbsDiff(stock.params(), fast.params()));
        assertTrue(maxAbsDiff(
                        stock.getUpdater().getStateViewArray(),
                        fast.getUpdater().getStateViewArray())
                < TOL);
    }

    private static void assertEquivalent(int nIn, int hidden, int classes, int t, int batch, DataType type) {
        MultiLayerNetwork stock = LstmNets.net(false, nIn, hidden, classes, t, type, new NoOp(), 12345);
        MultiLayerNetwork fast = LstmNets.net(true, nIn, hidden, classes, t, type, new NoOp(), 54321);
        fast.setParams(stock.params().dup());
        INDArray x = LstmNets.features(batch, nIn, t, type, 7);
        INDArray y = LstmNets.labels(batch, classes, type, 7);

        // every layer's activations, inference and training mode
        for (boolean train : new boolean[] {false, true}) {
            List<INDArray> a = stock.feedForward(x, train);
            List<INDArray> b = fast.feedForward(x, train);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).shape(), b.get(i).shape());
                double d = maxAbsDiff(a.get(i), b.get(i));
                assertTrue(d < TOL, type + " activations of layer " + (i - 1) + " differ by " + d);
            }
        }

        INDArray gs = LstmNets.gradient(stock, x, y);
        INDArray gf = LstmNets.gradient(fast, x, y);
        assertEquals(stock.score(), fast.score(), TOL);
        assertArrayEquals(gs.shape(), gf.shape());
        double d = maxAbsDiff(gs, gf);
        System.out.printf(
                "%s nIn=%d n=%d T=%d B=%d: max |grad diff| = %.3g (max |grad| = %.3g)%n",
                type, nIn, hidden, t, batch, d, gs.amaxNumber().doubleValue());
        assertTrue(d < TOL, type + " gradients differ by " + d + " (max |g| = " + gs.amaxNumber() + ")");
        assertTrue(gf.amaxNumber().doubleValue() > 1e-3, "gradient suspiciously small");
        // the per-parameter gradient map has the stock keys and is made of views of the flat gradient
        assertEquals(
                stock.gradient().gradientForVariable().keySet(),
                fast.gradient().gradientForVariable().keySet());
    }
}
