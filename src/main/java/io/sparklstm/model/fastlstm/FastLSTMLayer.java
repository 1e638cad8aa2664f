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
 *       {@code workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, ...)}, the input gradient with
 *       {@code ArrayType.ACTIVATION_GRAD}, both time-major and handed on as {@code [B, k, T]} views
 *       ({@link #fromTimeMajor}); the gradients are written into the layer's flattened gradient views
 *       ({@code gradientViews}, from {@link FastLSTMParamInitializer#getGradientsFromFlattened}) and parameters
 *       are read from the flattened parameter views, so updaters (Adam state) and Spark parameter averaging see the
 *       usual flat arrays.</li>
 *   <li><b>Internal state</b> (gate activations, cell states, ... of all time steps) lives in the buffers of an
 *       {@link LstmKernel}, allocated outside any workspace and reused for every minibatch of the same shape. This
 *       avoids workspace-lifetime questions when the forward state is kept from {@code activate} to
 *       {@code backpropGradient}. The kernel belongs to the thread, not the layer ({@link KernelPool}): the next
 *       network on the same thread (dl4j-spark builds one per averaging round) reuses its buffers.</li>
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

    /** This thread's kernel of the last forward pass ({@link KernelPool}): shared, see there. */
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
        INDArray out = timeMajorArray(
                workspaceMgr, ArrayType.ACTIVATIONS, k, layerConf().getNOut());
        k.storeOutput(out);
        return permuteIfNWC(fromTimeMajor(out));
    }

    private void runForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = permuteIfNWC(input); // [B, nIn, T]
        long nIn = layerConf().getNIn();
        if (in.rank() != 3 || in.size(1) != nIn) {
            throw new IllegalArgumentException("FastLSTM (layer " + getIndex() + ") expects input [minibatch, " + nIn
                    + ", timeSteps] (" + layerConf().getRnnDataFormat() + "), got " + Arrays.toString(input.shape()));
        }
        LstmKernel k = kernel = threadKernel(in);
        k.loadInput(in);
        k.forward(
                param(INPUT_WEIGHT_KEY, training, workspaceMgr),
                param(RECURRENT_WEIGHT_KEY, training, workspaceMgr),
                getParamWithNoise(BIAS_KEY, training, workspaceMgr));
        k.markForwardOf(this);
        forwardStateInput = training ? input : null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        checkNoMask(maskArray);
        if (forwardStateInput == null || forwardStateInput != input || !kernelHoldsMyForward()) {
            runForward(true, workspaceMgr);
        }
        forwardStateInput = null; // backward consumes the forward state
        LstmKernel k = kernel;
        k.markForwardOf(null);

        INDArray eps = permuteIfNWC(epsilon); // [B, n, T]
        k.loadOutputGrad(eps);
        INDArray gW = gradientViews.get(INPUT_WEIGHT_KEY);
        INDArray gRW = gradientViews.get(RECURRENT_WEIGHT_KEY);
        INDArray gB = gradientViews.get(BIAS_KEY);
        k.backward(
                param(INPUT_WEIGHT_KEY, true, workspaceMgr),
                param(RECURRENT_WEIGHT_KEY, true, workspaceMgr),
                NativeBuf.wrapDenseF(gW),
                NativeBuf.wrapDenseF(gRW),
                NativeBuf.wrapDenseF(gB),
                layerConf().isInputGradient());

        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(INPUT_WEIGHT_KEY, gW);
        g.gradientForVariable().put(RECURRENT_WEIGHT_KEY, gRW);
        g.gradientForVariable().put(BIAS_KEY, gB);

        weightNoiseParams.clear();
        if (!layerConf().isInputGradient()) {
            return new Pair<>(g, null);
        }
        INDArray epsOut = timeMajorArray(
                workspaceMgr, ArrayType.ACTIVATION_GRAD, k, layerConf().getNIn());
        k.storeInputGrad(epsOut);
        return new Pair<>(g, permuteIfNWC(backpropDropOutIfPresent(fromTimeMajor(epsOut))));
    }

    /** A new c-ordered {@code [T, B, width]} array of {@code type} for the kernel's current shape (uninitialised). */
    private INDArray timeMajorArray(LayerWorkspaceMgr workspaceMgr, ArrayType type, LstmKernel k, long width) {
        return workspaceMgr.createUninitialized(type, dataType, new long[] {k.steps(), k.batch(), width}, 'c');
    }

    /**
     * A time-major {@code [T, B, k]} c-ordered array as DL4J's {@code [B, k, T]} (NCW): a view of the same memory.
     * Activations and epsilons leave the layer in the kernel's own layout so that the next FastLSTM layer (and the
     * one before, backward) loads them with one memcpy; copying them into DL4J's usual f-ordered {@code [B, k, T]}
     * and back took an ND4J gather each way, 6.5 % of a training step. Every DL4J consumer reads them through their
     * strides: dropout ({@link io.sparklstm.model.PerThreadDropout} multiplies in the dense order), and
     * {@code LastTimeStep}'s last step of the view is even a dense row-major {@code [B, k]}.
     */
    private static INDArray fromTimeMajor(INDArray timeMajor) {
        return timeMajor.permute(1, 2, 0);
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

    /** The calling thread's kernel for this layer's slot and the shape of {@code in} ({@link KernelPool}). */
    private LstmKernel threadKernel(INDArray in) {
        return KernelPool.forLayer(
                getIndex(), (int) layerConf().getNIn(), (int) layerConf().getNOut(), dataType, (int) in.size(0), (int)
                        in.size(2));
    }

    /** Whether this thread's kernel still holds the forward state of this layer's last training pass. */
    private boolean kernelHoldsMyForward() {
        LstmKernel mine = threadKernel(permuteIfNWC(input));
        return mine == kernel && mine.holdsForwardOf(this);
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
