package io.sparklstm.model.fastlstm;

import io.sparklstm.model.RuntimeLayers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.layers.recurrent.LSTMHelpers;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a fast, drop-in replacement for DL4J's {@link org.deeplearning4j.nn.conf.layers.LSTM}
 * (tanh activation, sigmoid gates, no peepholes) for CPU training with full backpropagation through time.
 *
 * <p>Same math, same parameters: keys {@code W [nIn,4n]}, {@code RW [n,4n]}, {@code b [1,4n]}, same f-ordered
 * flattened layout, gate order and initialisation (forget-gate bias {@link Builder#forgetGateBiasInit} = 1.0 by
 * default) as the stock LSTM, see {@link FastLSTMParamInitializer}. Parameters of a stock network can therefore be
 * copied 1:1 with {@code fast.setParams(stock.params())}. The layer serialises in
 * {@code MultiLayerConfiguration} JSON (Jackson records the class name) and works inside
 * {@link org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep}.</p>
 *
 * <p>What makes it fast and what it gives up: see {@link FastLSTMLayer} and {@link LstmKernel}. In short: far
 * fewer, larger native calls (one GEMM per step, big GEMMs over all steps, gate math fused in Java loops), and
 * no masks, no {@code rnnTimeStep}/stored state, no truncated BPTT (each throws {@link UnsupportedOperationException}),
 * activation fixed to tanh (anything else is rejected), FLOAT or DOUBLE networks only.</p>
 *
 * <pre>{@code
 *   .layer(new FastLSTM.Builder().nIn(28).nOut(128).build())
 *   .layer(new LastTimeStep(new FastLSTM.Builder().nOut(128).build()))
 * }</pre>
 */
public class FastLSTM extends BaseRecurrentLayer {

    private double forgetGateBiasInit = 1.0;
    private boolean inputGradient = true;

    /** For Jackson. */
    public FastLSTM() {}

    private FastLSTM(Builder builder) {
        super(builder);
        this.forgetGateBiasInit = builder.forgetGateBiasInit;
        this.inputGradient = builder.inputGradient;
        initializeConstraints(builder);
    }

    public double getForgetGateBiasInit() {
        return forgetGateBiasInit;
    }

    public void setForgetGateBiasInit(double forgetGateBiasInit) {
        this.forgetGateBiasInit = forgetGateBiasInit;
    }

    /** Whether backpropagation computes the gradient with respect to the layer's input; see the builder. */
    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        List<LayerConstraint> recurrent = ((Builder) builder).getRecurrentConstraints();
        if (recurrent != null) { // as in the stock LSTM: recurrent constraints apply to RW
            if (constraints == null) {
                constraints = new ArrayList<>();
            }
            for (LayerConstraint c : recurrent) {
                LayerConstraint c2 = c.clone();
                c2.setParams(Collections.singleton(FastLSTMParamInitializer.RECURRENT_WEIGHT_KEY));
                constraints.add(c2);
            }
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners,
            int layerIndex,
            INDArray layerParamsView,
            boolean initializeParams,
            DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastLSTM", getLayerName(), layerIndex, getNIn(), getNOut());
        if (!(getActivationFn() instanceof ActivationTanH)) {
            throw new IllegalStateException(
                    "FastLSTM (layer " + layerIndex + ") supports only the tanh activation, got " + getActivationFn());
        }
        return RuntimeLayers.wire(
                new FastLSTMLayer(conf, networkDataType),
                conf,
                trainingListeners,
                layerIndex,
                layerParamsView,
                initializer(),
                initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return FastLSTMParamInitializer.getInstance();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LSTMHelpers.getMemoryReport(false, this, inputType);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastLSTM
                && super.equals(o)
                && Double.compare(((FastLSTM) o).forgetGateBiasInit, forgetGateBiasInit) == 0
                && ((FastLSTM) o).inputGradient == inputGradient;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * super.hashCode() + Double.hashCode(forgetGateBiasInit)) + Boolean.hashCode(inputGradient);
    }

    @Override
    public String toString() {
        return "FastLSTM(nIn=" + getNIn() + ", nOut=" + getNOut() + ", forgetGateBiasInit=" + forgetGateBiasInit
                + ", inputGradient="
                + inputGradient + ", "
                + super.toString() + ")";
    }

    /** Builder with the options of the stock LSTM builder that FastLSTM supports (activation defaults to tanh). */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {

        private double forgetGateBiasInit = 1.0;
        private boolean inputGradient = true;

        public Builder() {
            this.activationFn = new ActivationTanH();
        }

        /** Initial value of the forget-gate biases (default 1.0, like the stock LSTM). */
        public Builder forgetGateBiasInit(double biasInit) {
            this.forgetGateBiasInit = biasInit;
            return this;
        }

        /**
         * Whether backpropagation computes dL/d(input) (default true). A network's first layer reads the data, so
         * nothing needs that gradient: {@code false} skips its product (a {@code [T*B, 4n] x [4n, nIn]} GEMM and a
         * copy, 1-2 % of a training step for the seed network) and returns a null input gradient, as DL4J's embedding
         * layers do. Leave it on where the input gradient is wanted, e.g. {@code MultiLayerNetwork.calculateGradients}
         * with input gradients, or a layer that is not first.
         */
        public Builder inputGradient(boolean inputGradient) {
            this.inputGradient = inputGradient;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public FastLSTM build() {
            return new FastLSTM(this);
        }
    }
}
