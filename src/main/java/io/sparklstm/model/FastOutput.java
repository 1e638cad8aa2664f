package io.sparklstm.model;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of the network's softmax output layer: DL4J's {@link OutputLayer} (same parameters {@code W [nIn,
 * nOut]} and {@code b [1, nOut]}, same initialisation, same JSON apart from the class name), whose training step runs
 * in {@link FastOutputLayer}: plain Java loops instead of about twenty ND4J operations.
 *
 * <p>Why: with 10 classes the layer's arithmetic is tiny (three products of about 80,000 multiply-adds per
 * minibatch of 64), but DL4J computes it through ND4J operations that each cost tens of microseconds to set up, and
 * computes the forward pass twice per step (once for the gradient, once for the score). Together that took 5.6 % of a
 * Spark task's time in a profile of the job on one core.</p>
 */
public class FastOutput extends OutputLayer {

    /** For Jackson and {@code clone()}. */
    public FastOutput() {}

    private FastOutput(OutputLayer.Builder builder) {
        super(builder);
    }

    /** The layer {@code builder} describes (DL4J's {@code OutputLayer} builder), trained by {@link FastOutputLayer}. */
    public static FastOutput of(OutputLayer.Builder builder) {
        return new FastOutput(builder);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastOutput", getLayerName(), layerIndex, getNIn(), getNOut());
        return RuntimeLayers.wire(
                new FastOutputLayer(conf, networkDataType),
                conf,
                trainingListeners,
                layerIndex,
                layerParamsView,
                initializer(),
                initializeParams);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }
}
