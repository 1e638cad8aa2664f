package io.sparklstm.model.fastlstm;

import static io.sparklstm.model.fastlstm.FastLSTMParamInitializer.BIAS_KEY;
import static io.sparklstm.model.fastlstm.FastLSTMParamInitializer.INPUT_WEIGHT_KEY;
import static io.sparklstm.model.fastlstm.FastLSTMParamInitializer.RECURRENT_WEIGHT_KEY;

import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network-side {@link FastLSTM} layer: DL4J glue (workspaces, parameter and gradient views, data format,
 * dropout) around {@link LstmKernel}, which does the math.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Arrays that leave the layer</b> follow DL4J's workspace rules: the output activations are created with
 *       {@code workspaceMgr.create(ArrayType.ACTIVATIONS, ...)}, the input gradient with
 *       {@code ArrayType.ACTIVATION_GRAD}; the gradients are written into the layer's flattened gradient views
 *       ({@code gradientViews}, from {@link FastLSTMParamInitializer#getGradientsFromFlattened}) and parameters
 *       are read from the flattened parameter views, so updaters (Adam state) and Spark parameter averaging see the
 *       usual flat arrays.</li>
 *   <li><b>Internal state</b> (gate activations, cell states, ... of all time steps) lives in buffers owned by the
 *       layer's {@link LstmKernel}, allocated outside any workspace and reused for every minibatch of the same
 *       shape. This avoids workspace-lifetime questions when the forward state is kept from {@code activate} to
 *       {@code backpropGradient}, at the price of keeping that memory (a few MB for 64 x 28 x 128) while the layer
 *       exists.</li>
 *   <li><b>Forward state reuse</b>: the stock LSTM recomputes the forward pass inside {@code backpropGradient}.
 *       Here a training-mode {@code activate} keeps its state, and the next {@code backpropGradient} on the same
 *       input array uses it (one-shot); otherwise the forward pass is recomputed.</li>
 * </ul>
 *
 * <h2>Limitations</h2>
 * Full BPTT only: truncated BPTT ({@code tbpttBackpropGradient}, {@code rnnActivateUsingStoredState}),
 * {@code rnnTimeStep} and masks throw {@link UnsupportedOperationException}. FLOAT and DOUBLE networks only.
 * Not thread-safe (like every DL4J layer instance).
 */
public class FastLSTMLayer extends BaseRecurrentLayer<FastLSTM> {

    private LstmKernel kernel;
    /** Input array of the last training-mode forward pass whose state is still in the kernel, else null. */
    private INDArray forwardStateInput;

    public FastLSTMLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new UnsupportedOperationException(
                    "FastLSTM supports FLOAT and DOUBLE networks only, got " + dataType);
        }
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        checkNoMask(maskArray);
        applyDropOutIfNecessary(training, workspaceMgr);
        runForward(training, workspaceMgr);

        LstmKernel k = kernel;
        INDArray h = k.outputView(); // [T, B, n]
        INDArray out = workspaceMgr.create(
                ArrayType.ACTIVATIONS,
                dataType,
                new long[] {h.size(1), layerConf().getNOut(), h.size(0)},
                'f');
        out.assign(h.permute(1, 2, 0)); // -> [B, n, T]
        return permuteIfNWC(out);
    }

    private void runForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = permuteIfNWC(input); // [B, nIn, T]
        long nIn = layerConf().getNIn();
        if (in.rank() != 3 || in.size(1) != nIn) {
            throw new IllegalArgumentException("FastLSTM (layer " + getIndex() + ") expects input [minibatch, " + nIn
                    + ", timeSteps] (" + layerConf().getRnnDataFormat() + "), got " + Arrays.toString(input.shape()));
        }
        LstmKernel k = kernel();
        k.ensureShape((int) in.size(0), (int) in.size(2));
        k.inputView().assign(in.castTo(dataType).permute(2, 0, 1)); // -> [T, B, nIn]
        k.forward(
                param(INPUT_WEIGHT_KEY, training, workspaceMgr),
                param(RECURRENT_WEIGHT_KEY, training, workspaceMgr),
                getParamWithNoise(BIAS_KEY, training, workspaceMgr));
        forwardStateInput = training ? input : null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        checkNoMask(maskArray);
        if (forwardStateInput == null || forwardStateInput != input) {
            runForward(true, workspaceMgr);
        }
        forwardStateInput = null; // backward consumes the forward state

        LstmKernel k = kernel;
        INDArray eps = permuteIfNWC(epsilon); // [B, n, T]
        k.outputGradView().assign(eps.castTo(dataType).permute(2, 0, 1));
        INDArray gW = gradientViews.get(INPUT_WEIGHT_KEY);
        INDArray gRW = gradientViews.get(RECURRENT_WEIGHT_KEY);
        INDArray gB = gradientViews.get(BIAS_KEY);
        k.backward(
                param(INPUT_WEIGHT_KEY, true, workspaceMgr),
                param(RECURRENT_WEIGHT_KEY, true, workspaceMgr),
                NativeBuf.wrapDenseF(gW),
                NativeBuf.wrapDenseF(gRW),
                NativeBuf.wrapDenseF(gB));

        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(INPUT_WEIGHT_KEY, gW);
        g.gradientForVariable().put(RECURRENT_WEIGHT_KEY, gRW);
        g.gradientForVariable().put(BIAS_KEY, gB);

        INDArray dx = k.inputGradView(); // [T, B, nIn]
        INDArray epsOut = workspaceMgr.create(
                ArrayType.ACTIVATION_GRAD, dataType, new long[] {dx.size(1), dx.size(2), dx.size(0)}, 'f');
        epsOut.assign(dx.permute(1, 2, 0)); // -> [B, nIn, T]
        weightNoiseParams.clear();
        return new Pair<>(g, permuteIfNWC(backpropDropOutIfPresent(epsOut)));
    }

    /** A weight matrix as the dense f-ordered array the kernel needs (a copy only with weight noise). */
    private NativeBuf param(String key, boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray p = getParamWithNoise(key, training, workspaceMgr);
        if (!NativeBuf.isDenseF(p)) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                p = p.dup('f');
            }
        }
        return NativeBuf.wrapDenseF(p);
    }

    private LstmKernel kernel() {
        if (kernel == null) {
            kernel =
                    new LstmKernel((int) layerConf().getNIn(), (int) layerConf().getNOut(), dataType);
        }
        return kernel;
    }

    private void checkNoMask(INDArray mask) {
        if (mask != null) {
            throw new UnsupportedOperationException("FastLSTM (layer " + getIndex() + ") does not support masks; "
                    + "use org.deeplearning4j.nn.conf.layers.LSTM for variable-length sequences");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(
            INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        checkNoMask(maskArray);
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(
            INDArray epsilon, int tbpttBackwardLength, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("FastLSTM supports full BPTT only, not truncated BPTT");
    }

    @Override
    public INDArray rnnActivateUsingStoredState(
            INDArray input, boolean training, boolean storeLastForTBPTT, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("FastLSTM supports full BPTT only, not truncated BPTT / stored state");
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("FastLSTM does not support rnnTimeStep (stateful inference)");
    }

    @Override
    public Gradient gradient() {
        throw new UnsupportedOperationException("gradient() is for layerwise pretraining, not supported by FastLSTM");
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
