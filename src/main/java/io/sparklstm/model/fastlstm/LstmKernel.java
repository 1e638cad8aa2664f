package io.sparklstm.model.fastlstm;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The LSTM math of {@link FastLSTMLayer}: full-sequence forward and backward passes over native buffers, with
 * the same equations, gate order and parameter layout as DL4J's {@code LSTMHelpers} (no peepholes).
 *
 * <h2>Equations (per time step t, gate blocks of width n in the order of DL4J's "IFOG" columns)</h2>
 * <pre>
 *   z_t = x_t W + h_{t-1} RW + b                 z = [zi | zf | zo | zg], each [B, n]
 *   a = tanh(zi)   f = sigmoid(zf)   o = sigmoid(zo)   g = sigmoid(zg)
 *   c_t = f * c_{t-1} + g * a        h_t = o * tanh(c_t)          c_{-1} = h_{-1} = 0
 * </pre>
 * (DL4J calls block 0 the "input activations", block 3 the "input modulation gate"; the names differ from
 * textbooks, the math is the same.)
 *
 * <h2>Call structure</h2>
 * <ul>
 *   <li>Forward: ONE gemm for the input projection of all T steps ({@code [T*B, nIn] x [nIn, 4n]}), then per step
 *       one gemm {@code Z_t += H_{t-1} RW} and one fused Java loop for bias, gates, cell and output.</li>
 *   <li>Backward: per step one gemm {@code dH_{t-1} += dZ_t RW^T} and one fused loop for the gate deltas; then ONE
 *       gemm each for dW, dRW and the input gradient, and one gemv for the bias gradient, over all steps.</li>
 * </ul>
 * That is about 2T + 4 native calls per layer and minibatch, against hundreds of small ND4J ops per step for the
 * stock implementation.
 *
 * <h2>Native buffers (row-major, time-major; owned by this kernel, reused across minibatches of the same shape)</h2>
 * <pre>
 *   x  [T*B, nIn]     input, row (t*B + b)
 *   z  [T*B, 4n]      pre-activations without bias (forward), then gate deltas dZ (backward)
 *   h  [(T+1)*B, n]   h_{t-1} at rows t*B.. (block 0 = zeros), so rows [0, T*B) are the "previous h" of every step
 *   dh [T*B, n]       dL/dh_t (epsilon from above, plus the recurrent contribution)
 *   dx [T*B, nIn]     dL/dx_t
 * </pre>
 * The element-wise state (gate activations, cell states, tanh(c)) lives on the Java heap in {@link GateMath}.
 * Weights are read straight from DL4J's f-ordered parameter views: W {@code [nIn, 4n]} (f) is the row-major
 * {@code [4n, nIn]} matrix W^T, likewise RW. Gradients are written straight into DL4J's gradient views.
 *
 * <p>Trade-offs: keeping all T steps in memory (about {@code T*B*(nIn*2 + 9n)} values) is what full BPTT needs
 * anyway; the element-wise math is in {@link FloatGates} (vectorized, float) or {@link DoubleGates} (exact).</p>
 */
final class LstmKernel {

    private final int nIn;
    private final int n;
    private final DataType type;
    private final GateMath gates;

    private int batch = -1;
    private int steps = -1;
    private NativeBuf x;
    private NativeBuf z;
    private NativeBuf h;
    private NativeBuf dh;
    private NativeBuf dx;
    private NativeBuf ones;

    /** The six products, each with its engine (see {@link GemmSelection}), set with the minibatch shape. */
    private Product inputProjection;

    private Product recurrentStep;
    private Product recurrentGrad;
    private Product weightGrad;
    private Product recurrentWeightGrad;
    private Product inputGrad;

    private int enginesGeneration;

    /** The layer whose forward state the buffers hold (see {@link KernelPool}), else null. */
    private Object forwardOwner;

    LstmKernel(int nIn, int n, DataType type) {
        this.nIn = nIn;
        this.n = n;
        this.type = type;
        this.gates = GateMath.create(type, n);
    }

    /**
     * (Re)allocates the buffers when the minibatch size or sequence length changes, and asks {@link GemmSelection}
     * again for the engines when its mode changed since.
     */
    void ensureShape(int batchSize, int timeSteps) {
        if (batchSize == batch && timeSteps == steps) {
            if (enginesGeneration != GemmSelection.generation()) {
                chooseEngines(batchSize * timeSteps, batchSize);
            }
            return;
        }
        long rows = (long) batchSize * timeSteps;
        if (rows * 4 * n > Integer.MAX_VALUE || rows * nIn > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException(
                    "Minibatch too large for FastLSTM: " + batchSize + " x " + timeSteps);
        }
        x = NativeBuf.allocate(type, rows, nIn);
        z = NativeBuf.allocate(type, rows, 4L * n);
        h = NativeBuf.allocate(type, rows + batchSize, n);
        dh = NativeBuf.allocate(type, rows, n);
        dx = NativeBuf.allocate(type, rows, nIn);
        ones = NativeBuf.allocate(type, rows);
        ones.array.assign(1.0);
        h.array.assign(0.0); // block 0 (h_{-1}) stays zero
        gates.resize(batchSize, timeSteps);
        chooseEngines((int) rows, batchSize);
        batch = batchSize;
        steps = timeSteps;
    }

    private void chooseEngines(int rows, int batchSize) {
        enginesGeneration = GemmSelection.generation();
        int g = 4 * n;
        inputProjection = product(false, true, rows, g, nIn); //          Z = X W
        recurrentStep = product(false, true, batchSize, g, n, true); //   Z_t += H_{t-1} RW
        recurrentGrad = product(false, false, batchSize, n, g, true); //  dH_t += dZ_{t+1} RW^T
        weightGrad = product(true, false, g, nIn, rows); //               dW^T = dZ^T X
        recurrentWeightGrad = product(true, false, g, n, rows); //        dRW^T = dZ^T H_prev
        inputGrad = product(false, false, rows, nIn, g); //               dX = dZ W^T
    }

    /** A product of this shape; its engine is decided on first use (inference never times the backward shapes). */
    private Product product(boolean transA, boolean transB, int m, int cols, int k) {
        return product(transA, transB, m, cols, k, false);
    }

    /** With {@code bRepeats}: a per-step product whose B (the recurrent weights) is the same at every step. */
    private Product product(boolean transA, boolean transB, int m, int cols, int k, boolean bRepeats) {
        return new Product(new GemmShape(transA, transB, m, cols, k, bRepeats), type);
    }

    /**
     * One of the layer's products, bound to its engine on first use: decided by timing for FLOAT
     * ({@link GemmSelection}), OpenBLAS's dgemm for DOUBLE.
     */
    private static final class Product {
        private final GemmShape shape;
        private final DataType type;
        private GemmEngine engine;

        Product(GemmShape shape, DataType type) {
            this.shape = shape;
            this.type = type;
        }

        void run(NativeBuf a, long offA, NativeBuf b, long offB, double beta, NativeBuf c, long offC) {
            run(a, offA, b, offB, beta, c, offC, Reuse.NONE);
        }

        /** With an operand promised unchanged ({@link Reuse}). */
        void run(NativeBuf a, long offA, NativeBuf b, long offB, double beta, NativeBuf c, long offC, Reuse reuse) {
            if (engine == null) {
                engine = type == DataType.FLOAT ? GemmSelection.engineFor(shape) : GemmEngine.OPENBLAS;
            }
            NativeBuf.gemm(engine, shape, a, offA, b, offB, beta, c, offC, reuse);
        }
    }

    /** Records that the buffers now hold {@code layer}'s forward state (null: nobody's). */
    void markForwardOf(Object layer) {
        forwardOwner = layer;
    }

    /** Whether the buffers still hold the forward state {@code layer} left with {@link #markForwardOf}. */
    boolean holdsForwardOf(Object layer) {
        return layer != null && forwardOwner == layer;
    }

    /**
     * Copies the input {@code [B, nIn, T]} (NCW, any layout and type) into x, time-major: one memcpy when it is a
     * time-major array seen as NCW (what a FastLSTM layer below emits), else a gather.
     */
    void loadInput(INDArray ncw) {
        load(x, ncw, nIn);
    }

    /** Copies h_0..h_{T-1} after {@link #forward} into {@code dst}: a dense c-ordered {@code [T, B, n]} array. */
    void storeOutput(INDArray dst) {
        h.store((long) batch * n, dst);
    }

    /** Copies dL/dh {@code [B, n, T]} (NCW, any layout and type) in, before {@link #backward}, as the input. */
    void loadOutputGrad(INDArray ncw) {
        load(dh, ncw, n);
    }

    private void load(NativeBuf buf, INDArray ncw, int width) {
        long[] timeMajorView = {width, 1, (long) batch * width}; // the strides of [T, B, width] c seen as [B, width, T]
        if (ncw.dataType() == type && Arrays.equals(ncw.stride(), timeMajorView)) {
            buf.load(0, ncw, (long) steps * batch * width);
        } else {
            buf.array.reshape('c', steps, batch, width).assign(ncw.permute(2, 0, 1));
        }
    }

    /** Copies the input gradient after {@link #backward} into {@code dst}: a dense c-ordered {@code [T, B, nIn]}. */
    void storeInputGrad(INDArray dst) {
        dx.store(0, dst);
    }

    /** The minibatch size of the current shape. */
    int batch() {
        return batch;
    }

    /** The sequence length of the current shape. */
    int steps() {
        return steps;
    }

    /**
     * Forward pass over all steps; the input must already be loaded ({@link #loadInput}).
     *
     * @param wT  input weights as row-major {@code [4n, nIn]} (DL4J's f-ordered W view)
     * @param rwT recurrent weights as row-major {@code [4n, n]} (DL4J's f-ordered RW view)
     * @param b   bias {@code [1, 4n]}
     */
    void forward(NativeBuf wT, NativeBuf rwT, INDArray b) {
        final int B = batch;
        final int T = steps;
        final int G = 4 * n;
        gates.beginForward(b.toDoubleVector());
        // Input projection of every time step in one gemm: Z = X W
        inputProjection.run(x, 0, wT, 0, 0.0, z, 0);
        for (int t = 0; t < T; t++) {
            if (t > 0) { // Z_t += H_{t-1} RW  (h_{-1} = 0)
                recurrentStep.run(h, (long) t * B * n, rwT, 0, 1.0, z, (long) t * B * G, t > 1 ? Reuse.B : Reuse.NONE);
            }
            gates.forwardStep(t, z, h);
        }
    }

    /**
     * Backward pass (full BPTT) after {@link #forward} on the same input; dL/dh must be loaded ({@link #loadOutputGrad}).
     * Consumes the forward state: a forward pass is needed before the next backward. Without {@code inputGradient},
     * the input gradient is left as it was.
     */
    void backward(
            NativeBuf wT, NativeBuf rwT, NativeBuf gradWT, NativeBuf gradRwT, NativeBuf gradB, boolean inputGradient) {
        final int B = batch;
        final int T = steps;
        final int G = 4 * n;
        gates.beginBackward();
        for (int t = T - 1; t >= 0; t--) {
            if (t < T - 1) { // dH_t += dZ_{t+1} RW^T
                recurrentGrad.run(
                        z, (long) (t + 1) * B * G, rwT, 0, 1.0, dh, (long) t * B * n, t < T - 2 ? Reuse.B : Reuse.NONE);
            }
            gates.backwardStep(t, z, dh);
        }
        int rows = T * B;
        // dW^T = dZ^T X, dRW^T = dZ^T H_prev, db = column sums of dZ, dX = dZ W^T: dZ (A) is read three times as it is
        weightGrad.run(z, 0, x, 0, 0.0, gradWT, 0);
        recurrentWeightGrad.run(z, 0, h, 0, 0.0, gradRwT, 0, Reuse.A);
        NativeBuf.gemvTrans(rows, G, z, G, ones, gradB);
        if (inputGradient) {
            inputGrad.run(z, 0, wT, 0, 0.0, dx, 0, Reuse.A);
        }
    }
}
