package io.sparklstm.model;

import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.OutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The runtime layer of {@link FastOutput}: DL4J's output layer, except that a training step's backpropagation and
 * score are computed by {@link SoftmaxCrossEntropy} on the host copies of the layer's few arrays. Inference
 * ({@code activate}) stays DL4J's.
 *
 * <p>Cost: the step copies its input ({@code [64, 128]} floats with the defaults), labels and weights out of native
 * memory and writes the gradients and the input's gradient back: about 100 KB per minibatch. The score recomputes
 * the forward pass rather than keeping it from the backward pass, so nothing is cached between DL4J's calls.</p>
 *
 * <p>Anything the plain path does not cover falls back to DL4J's implementation: another data type than FLOAT,
 * masks, weight noise, class weights in the loss, or a configuration changed to another loss or activation.</p>
 */
final class FastOutputLayer extends OutputLayer {

    FastOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!plain()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        applyDropOutIfNecessary(true, workspaceMgr);
        int rows = (int) input.size(0), nIn = (int) input.size(1), nOut = (int) labels.size(1);
        float[] x = read(input, 'c');
        float[] w = read(getParam(DefaultParamInitializer.WEIGHT_KEY), 'f');
        float[] b = read(getParam(DefaultParamInitializer.BIAS_KEY), 'c');
        float[] delta = SoftmaxCrossEntropy.deltaInPlace(
                SoftmaxCrossEntropy.probabilities(x, rows, nIn, w, b, nOut), read(labels, 'c'));

        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        write(SoftmaxCrossEntropy.weightGradient(x, delta, rows, nIn, nOut), weightGrad, 'f');
        write(SoftmaxCrossEntropy.biasGradient(delta, rows, nOut), biasGrad, 'c');
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);

        INDArray inputGrad = workspaceMgr.createUninitialized(
                ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[] {rows, nIn}, 'c');
        write(SoftmaxCrossEntropy.inputGradient(delta, w, rows, nIn, nOut), inputGrad, 'c');
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGrad));
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!plain()) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        if (input == null || labels == null) {
            throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        int rows = (int) input.size(0), nIn = (int) input.size(1), nOut = (int) labels.size(1);
        float[] p = SoftmaxCrossEntropy.probabilities(
                read(input, 'c'),
                rows,
                nIn,
                read(getParam(DefaultParamInitializer.WEIGHT_KEY), 'f'),
                read(getParam(DefaultParamInitializer.BIAS_KEY), 'c'),
                nOut);
        double loss = SoftmaxCrossEntropy.loss(
                p, read(labels, 'c'), ((LossMCXENT) layerConf().getLossFn()).getSoftmaxClipEps());
        if (conf().isMiniBatch()) {
            loss /= getInputMiniBatchSize();
        }
        score = loss + fullNetRegTerm;
        return score;
    }

    /** Whether this step is one the plain path computes exactly as DL4J's definitions say. */
    private boolean plain() {
        org.deeplearning4j.nn.conf.layers.OutputLayer c = layerConf();
        return dataType == DataType.FLOAT
                && maskArray == null
                && c.getWeightNoise() == null
                && c.getActivationFn() instanceof ActivationSoftmax
                && c.getLossFn() != null
                && c.getLossFn().getClass() == LossMCXENT.class
                && ((LossMCXENT) c.getLossFn()).getWeights() == null
                && input != null
                && input.rank() == 2
                && labels != null
                && labels.rank() == 2;
    }

    /** A 2-D array's values in row-major ({@code 'c'}) or column-major ({@code 'f'}) order, as float. */
    static float[] read(INDArray a, char order) {
        INDArray dense = a.dataType() == DataType.FLOAT && isDense(a, order)
                ? a
                : a.castTo(DataType.FLOAT).dup(order);
        float[] values = new float[(int) dense.length()];
        new FloatPointer(dense.data().addressPointer()).get(values);
        return values;
    }

    /** Writes {@code values} (in {@code order}) into the 2-D FLOAT array {@code a}. */
    static void write(float[] values, INDArray a, char order) {
        if (isDense(a, order)) {
            new FloatPointer(a.data().addressPointer()).put(values);
        } else {
            a.assign(org.nd4j.linalg.factory.Nd4j.create(values, a.shape(), order));
        }
    }

    /** Whether the 2-D array's elements lie in memory in {@code order} without gaps (size-1 dimensions: any stride). */
    static boolean isDense(INDArray a, char order) {
        return a.rank() == 2 && (order == 'c' ? DenseOrder.isRowMajor(a) : DenseOrder.isColumnMajor(a));
    }
}
