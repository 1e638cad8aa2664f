package io.sparklstm.model;

import static io.sparklstm.NetChecks.lossAndGradients;
import static io.sparklstm.NetChecks.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.data.Minibatches;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FastOutput} against DL4J's own output layer in the same network (same weights, same dropout masks, a real
 * MNIST minibatch): the same loss, gradients of every parameter and training trajectory, to float round-off.
 *
 * <p>Tolerance: 1e-5 absolute on the loss and on every gradient element. The two compute the same sums in another
 * order (Java loops against OpenBLAS, softmax in double against float), so they differ by a few units in the last
 * place of a float, and the LSTM layers below pass that on unchanged in size. After five Adam steps at learning rate
 * 0.01, 1e-4 on the parameters (1 % of a step), as for FastLSTM against the stock LSTM: Adam divides by a running RMS
 * of the gradient, so where a gradient is near zero its round-off moves the parameter by a visible part of a step.</p>
 */
class FastOutputLayerTest {

    private static final String FAST = FastOutput.class.getName();
    private static final String DL4J = org.deeplearning4j.nn.conf.layers.OutputLayer.class.getName();

    @Test
    void sameLossAndGradientsAsDl4jsOutputLayer() {
        MultiLayerNetwork fast = network(0.2);
        MultiLayerNetwork dl4j = withDl4jOutputLayer(fast);
        DataSet batch = mnist(0);

        double fastLoss = lossAndGradients(fast, batch, 7);
        double dl4jLoss = lossAndGradients(dl4j, batch, 7);

        assertEquals(dl4jLoss, fastLoss, 1e-5);
        assertTrue(fastLoss > 0.5, "a fresh network's loss on ten classes is near ln 10, got " + fastLoss);
        double diff = maxAbsDiff(dl4j.getGradientsViewArray(), fast.getGradientsViewArray());
        assertTrue(diff < 1e-5, "max gradient difference " + diff);
        assertTrue(fast.getGradientsViewArray().norm2Number().doubleValue() > 1e-3, "the gradients are not all zero");
    }

    @Test
    void sameParametersAfterAdamStepsWithDropout() {
        MultiLayerNetwork fast = network(0.2);
        MultiLayerNetwork dl4j = withDl4jOutputLayer(fast);
        INDArray start = fast.params().dup();
        for (int i = 0; i < 5; i++) {
            DataSet batch = mnist(i + 1);
            Nd4j.getRandom().setSeed(100 + i);
            fast.fit(batch);
            Nd4j.getRandom().setSeed(100 + i);
            dl4j.fit(batch);
        }
        assertTrue(maxAbsDiff(start, fast.params()) > 1e-3, "the steps moved the parameters");
        double diff = maxAbsDiff(dl4j.params(), fast.params());
        assertTrue(diff < 1e-4, "max parameter difference after 5 Adam steps " + diff);
        assertEquals(dl4j.score(), fast.score(), 1e-5);
    }

    @Test
    void configurationRoundTripsThroughJsonAndBuildsTheFastLayer() {
        MultiLayerNetwork fast = network(0.2);
        String json = fast.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("\"" + FAST + "\""), "the JSON names the class");

        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(fast.getLayerWiseConfigurations(), back);
        MultiLayerNetwork rebuilt = new MultiLayerNetwork(back);
        rebuilt.init(fast.params().dup(), false);
        assertInstanceOf(FastOutputLayer.class, rebuilt.getOutputLayer());
        assertInstanceOf(FastOutputLayer.class, fast.getOutputLayer());
        INDArray x = mnist(9).getFeatures();
        assertEquals(0.0, maxAbsDiff(fast.output(x), rebuilt.output(x)), 0.0);
    }

    private static MultiLayerNetwork network(double dropout) {
        return Fixtures.smallNetwork("--dropout", String.valueOf(dropout)).newNetwork();
    }

    /** The same configuration and weights with DL4J's {@code OutputLayer} in place of {@link FastOutput}. */
    private static MultiLayerNetwork withDl4jOutputLayer(MultiLayerNetwork fast) {
        String json = fast.getLayerWiseConfigurations().toJson();
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json.replace(FAST, DL4J)));
        net.init(fast.params().dup(), true);
        assertEquals(
                org.deeplearning4j.nn.layers.OutputLayer.class,
                net.getOutputLayer().getClass());
        return net;
    }

    /** The {@code index}-th minibatch of 32 real MNIST training images. */
    private static DataSet mnist(int index) {
        int batch = 32;
        int examples = (index + 1) * batch;
        return Minibatches.of(
                Mnist.imageBytes("train-images-idx3-ubyte", examples),
                Mnist.labelBytes("train-labels-idx1-ubyte", examples),
                index * batch,
                batch);
    }
}
