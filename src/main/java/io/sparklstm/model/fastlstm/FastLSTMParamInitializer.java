package io.sparklstm.model.fastlstm;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameters of {@link FastLSTM}: exactly the layout, keys, shapes, orders and initialisation of DL4J's
 * {@link LSTMParamInitializer} (which cannot be reused as is because it casts the configuration to
 * {@code conf.layers.LSTM}). In the flattened parameter (and gradient) view of the layer:
 * <pre>
 *   [ W  : nIn x 4n, f-order | RW : n x 4n, f-order | b : 1 x 4n ]     gate columns: i, f, o, g (DL4J "IFOG")
 * </pre>
 * so {@code net.params()} of a network using the stock LSTM can be assigned 1:1 to the same network using FastLSTM.
 * The forget-gate bias block {@code b[n, 2n)} starts at {@link FastLSTM#getForgetGateBiasInit()}, the rest of b at 0.
 */
public final class FastLSTMParamInitializer implements ParamInitializer {

    public static final String INPUT_WEIGHT_KEY = LSTMParamInitializer.INPUT_WEIGHT_KEY;
    public static final String RECURRENT_WEIGHT_KEY = LSTMParamInitializer.RECURRENT_WEIGHT_KEY;
    public static final String BIAS_KEY = LSTMParamInitializer.BIAS_KEY;

    private static final FastLSTMParamInitializer INSTANCE = new FastLSTMParamInitializer();
    private static final List<String> PARAM_KEYS =
            Collections.unmodifiableList(Arrays.asList(INPUT_WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY));
    private static final List<String> WEIGHT_KEYS =
            Collections.unmodifiableList(Arrays.asList(INPUT_WEIGHT_KEY, RECURRENT_WEIGHT_KEY));
    private static final List<String> BIAS_KEYS = Collections.singletonList(BIAS_KEY);

    public static FastLSTMParamInitializer getInstance() {
        return INSTANCE;
    }

    private FastLSTMParamInitializer() {}

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FastLSTM l = (FastLSTM) layer;
        long nL = l.getNOut();
        return l.getNIn() * 4 * nL + nL * 4 * nL + 4 * nL;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return PARAM_KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHT_KEYS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return BIAS_KEYS;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return INPUT_WEIGHT_KEY.equals(key) || RECURRENT_WEIGHT_KEY.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS_KEY.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        FastLSTM l = (FastLSTM) conf.getLayer();
        long nL = l.getNOut();
        long nLast = l.getNIn();
        conf.addVariable(INPUT_WEIGHT_KEY);
        conf.addVariable(RECURRENT_WEIGHT_KEY);
        conf.addVariable(BIAS_KEY);
        checkLength(conf, paramsView);

        INDArray[] views = split(paramsView, nLast, nL);
        INDArray w;
        INDArray rw;
        if (initializeParams) {
            // Same fan-in/fan-out and call order as LSTMParamInitializer, hence the same random draws for a given seed.
            long fanIn = nL;
            long fanOut = nLast + nL;
            IWeightInit rwInit =
                    l.getWeightInitFnRecurrent() != null ? l.getWeightInitFnRecurrent() : l.getWeightInitFn();
            w = l.getWeightInitFn()
                    .init(fanIn, fanOut, new long[] {nLast, 4 * nL}, IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, views[0]);
            rw = rwInit.init(fanIn, fanOut, new long[] {nL, 4 * nL}, IWeightInit.DEFAULT_WEIGHT_INIT_ORDER, views[1]);
            views[2].assign(0);
            views[2].put(
                    new INDArrayIndex[] {NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(nL, 2 * nL)},
                    Nd4j.valueArrayOf(new long[] {1, nL}, l.getForgetGateBiasInit()));
        } else {
            w = WeightInitUtil.reshapeWeights(new long[] {nLast, 4 * nL}, views[0]);
            rw = WeightInitUtil.reshapeWeights(new long[] {nL, 4 * nL}, views[1]);
        }
        Map<String, INDArray> params = Collections.synchronizedMap(new LinkedHashMap<>());
        params.put(INPUT_WEIGHT_KEY, w);
        params.put(RECURRENT_WEIGHT_KEY, rw);
        params.put(BIAS_KEY, views[2]);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        FastLSTM l = (FastLSTM) conf.getLayer();
        long nL = l.getNOut();
        long nLast = l.getNIn();
        checkLength(conf, gradientView);
        INDArray[] views = split(gradientView, nLast, nL);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(INPUT_WEIGHT_KEY, views[0].reshape('f', nLast, 4 * nL));
        out.put(RECURRENT_WEIGHT_KEY, views[1].reshape('f', nL, 4 * nL));
        out.put(BIAS_KEY, views[2]);
        return out;
    }

    private void checkLength(NeuralNetConfiguration conf, INDArray view) {
        long expected = numParams(conf);
        if (view.length() != expected) {
            throw new IllegalStateException(
                    "Expected params/gradient view of length " + expected + ", got " + view.length());
        }
    }

    /** The three contiguous row-vector segments [W | RW | b] of a flattened [1, numParams] view. */
    private static INDArray[] split(INDArray flat, long nLast, long nL) {
        long nW = nLast * 4 * nL;
        long nRW = nL * 4 * nL;
        long nB = 4 * nL;
        INDArrayIndex row = NDArrayIndex.interval(0, 0, true);
        return new INDArray[] {
            flat.get(row, NDArrayIndex.interval(0, nW)),
            flat.get(row, NDArrayIndex.interval(nW, nW + nRW)),
            flat.get(row, NDArrayIndex.interval(nW + nRW, nW + nRW + nB))
        };
    }
}
