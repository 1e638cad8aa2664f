package io.sparklstm.model.fastlstm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * <h2>Buffers (row-major, time-major; owned by this kernel, reused across minibatches of the same shape)</h2>
 * <pre>
 *   x  [T*B, nIn]     input, row (t*B + b)
 *   z  [T*B, 4n]      pre-activations, then gate activations (forward), then gate deltas dZ (backward)
 *   h  [(T+1)*B, n]   h_{t-1} at rows t*B.. (block 0 = zeros), so rows [0, T*B) are the "previous h" of every step
 *   c  [(T+1)*B, n]   c_{t-1} likewise
 *   tc [T*B, n]       tanh(c_t)
 *   dh [T*B, n]       dL/dh_t (epsilon from above, plus the recurrent contribution)
 *   dx [T*B, nIn]     dL/dx_t
 * </pre>
 * Weights are read straight from DL4J's f-ordered parameter views: W {@code [nIn, 4n]} (f) is the row-major
 * {@code [4n, nIn]} matrix W^T, likewise RW. Gradients are written straight into DL4J's gradient views.
 *
 * <p>Trade-offs: keeping all T steps in memory (about {@code T*B*(nIn*2 + 9n)} values) is what full BPTT needs
 * anyway; the element loops compute in double and store in the network's type; the transcendental functions
 * use {@link Math#exp}, which the JIT turns into an intrinsic.</p>
 */
final class LstmKernel {

    private final int nIn;
    private final int n;
    private final DataType type;

    private int batch = -1;
    private int steps = -1;
    private NativeBuf x;
    private NativeBuf z;
    private NativeBuf h;
    private NativeBuf c;
    private NativeBuf tc;
    private NativeBuf dh;
    private NativeBuf dx;
    private NativeBuf ones;
    private double[] carry;          // dL/dc_t carried from step t+1 through the forget gate, [B*n]
    private final double[] bias;     // b, [4n]

    LstmKernel(int nIn, int n, DataType type) {
        this.nIn = nIn;
        this.n = n;
        this.type = type;
        this.bias = new double[4 * n];
    }

    /** (Re)allocates the buffers when the minibatch size or sequence length changes. */
    void ensureShape(int batchSize, int timeSteps) {
        if (batchSize == batch && timeSteps == steps) {
            return;
        }
        long rows = (long) batchSize * timeSteps;
        if (rows * 4 * n > Integer.MAX_VALUE || rows * nIn > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("Minibatch too large for FastLSTM: " + batchSize + " x " + timeSteps);
        }
        x = NativeBuf.allocate(type, rows, nIn);
        z = NativeBuf.allocate(type, rows, 4L * n);
        h = NativeBuf.allocate(type, rows + batchSize, n);
        c = NativeBuf.allocate(type, rows + batchSize, n);
        tc = NativeBuf.allocate(type, rows, n);
        dh = NativeBuf.allocate(type, rows, n);
        dx = NativeBuf.allocate(type, rows, nIn);
        ones = NativeBuf.allocate(type, rows);
        ones.fill(0, (int) rows, 1.0);
        carry = new double[batchSize * n];
        batch = batchSize;
        steps = timeSteps;
    }

    /** Where the caller copies the input: {@code [T, B, nIn]} view of x. */
    INDArray inputView() {
        return x.array.reshape('c', steps, batch, nIn);
    }

    /** The layer output h_0..h_{T-1} after {@link #forward}: {@code [T, B, n]} view. */
    INDArray outputView() {
        return h.array.get(NDArrayIndex.interval((long) batch, (long) (steps + 1) * batch), NDArrayIndex.all())
                .reshape('c', steps, batch, n);
    }

    /** Where the caller copies dL/dh before {@link #backward}: {@code [T, B, n]} view. */
    INDArray outputGradView() {
        return dh.array.reshape('c', steps, batch, n);
    }

    /** The input gradient after {@link #backward}: {@code [T, B, nIn]} view. */
    INDArray inputGradView() {
        return dx.array.reshape('c', steps, batch, nIn);
    }

    /**
     * Forward pass over all steps; the input must already be in {@link #inputView()}.
     *
     * @param wT  input weights as row-major {@code [4n, nIn]} (DL4J's f-ordered W view)
     * @param rwT recurrent weights as row-major {@code [4n, n]} (DL4J's f-ordered RW view)
     * @param b   bias {@code [1, 4n]}
     */
    void forward(NativeBuf wT, NativeBuf rwT, INDArray b) {
        final int B = batch;
        final int T = steps;
        final int G = 4 * n;
        double[] bv = b.toDoubleVector();
        System.arraycopy(bv, 0, bias, 0, G);
        h.fill(0, B * n, 0.0);
        c.fill(0, B * n, 0.0);

        // Input projection of every time step in one gemm: Z = X W
        NativeBuf.gemm(false, true, T * B, G, nIn, x, 0, nIn, wT, 0, nIn, 0.0, z, 0, G);
        for (int t = 0; t < T; t++) {
            if (t > 0) {        // Z_t += H_{t-1} RW  (h_{-1} = 0)
                NativeBuf.gemm(false, true, B, G, n, h, (long) t * B * n, n, rwT, 0, n, 1.0, z, (long) t * B * G, G);
            }
            forwardGates(t);
        }
    }

    private void forwardGates(int t) {
        final int B = batch;
        final int G = 4 * n;
        final NativeBuf z = this.z, h = this.h, c = this.c, tc = this.tc;
        final double[] bias = this.bias;
        for (int bi = 0; bi < B; bi++) {
            final int zr = (t * B + bi) * G;
            final int prev = (t * B + bi) * n;       // row of c_{t-1} in c; also row of t in tc
            final int cur = prev + B * n;            // row of c_t / h_t
            for (int j = 0; j < n; j++) {
                double a = tanh(z.get(zr + j) + bias[j]);
                double f = sigmoid(z.get(zr + n + j) + bias[n + j]);
                double o = sigmoid(z.get(zr + 2 * n + j) + bias[2 * n + j]);
                double g = sigmoid(z.get(zr + 3 * n + j) + bias[3 * n + j]);
                double cell = f * c.get(prev + j) + g * a;
                double tcell = tanh(cell);
                z.set(zr + j, a);
                z.set(zr + n + j, f);
                z.set(zr + 2 * n + j, o);
                z.set(zr + 3 * n + j, g);
                c.set(cur + j, cell);
                tc.set(prev + j, tcell);
                h.set(cur + j, o * tcell);
            }
        }
    }

    /**
     * Backward pass (full BPTT) after {@link #forward} on the same input; dL/dh must be in {@link #outputGradView()}.
     * Overwrites the gate activations with the gate deltas, so a forward pass is needed before the next backward.
     */
    void backward(NativeBuf wT, NativeBuf rwT, NativeBuf gradWT, NativeBuf gradRwT, NativeBuf gradB) {
        final int B = batch;
        final int T = steps;
        final int G = 4 * n;
        java.util.Arrays.fill(carry, 0.0);
        for (int t = T - 1; t >= 0; t--) {
            if (t < T - 1) {    // dH_t += dZ_{t+1} RW^T
                NativeBuf.gemm(false, false, B, n, G, z, (long) (t + 1) * B * G, G, rwT, 0, n, 1.0, dh, (long) t * B * n, n);
            }
            backwardGates(t);
        }
        int rows = T * B;
        // dW^T = dZ^T X, dRW^T = dZ^T H_prev, db = column sums of dZ, dX = dZ W^T
        NativeBuf.gemm(true, false, G, nIn, rows, z, 0, G, x, 0, nIn, 0.0, gradWT, 0, nIn);
        NativeBuf.gemm(true, false, G, n, rows, z, 0, G, h, 0, n, 0.0, gradRwT, 0, n);
        NativeBuf.gemvTrans(rows, G, z, G, ones, gradB);
        NativeBuf.gemm(false, false, rows, nIn, G, z, 0, G, wT, 0, nIn, 0.0, dx, 0, nIn);
    }

    private void backwardGates(int t) {
        final int B = batch;
        final int G = 4 * n;
        final NativeBuf z = this.z, c = this.c, tc = this.tc, dh = this.dh;
        final double[] carry = this.carry;
        for (int bi = 0; bi < B; bi++) {
            final int zr = (t * B + bi) * G;
            final int row = (t * B + bi) * n;        // row of t in tc/dh, and of c_{t-1} in c
            final int cr = bi * n;
            for (int j = 0; j < n; j++) {
                double a = z.get(zr + j);
                double f = z.get(zr + n + j);
                double o = z.get(zr + 2 * n + j);
                double g = z.get(zr + 3 * n + j);
                double tcell = tc.get(row + j);
                double dhv = dh.get(row + j);
                double dc = carry[cr + j] + dhv * o * (1.0 - tcell * tcell);
                z.set(zr + j, dc * g * (1.0 - a * a));
                z.set(zr + n + j, dc * c.get(row + j) * f * (1.0 - f));
                z.set(zr + 2 * n + j, dhv * tcell * o * (1.0 - o));
                z.set(zr + 3 * n + j, dc * a * g * (1.0 - g));
                carry[cr + j] = dc * f;
            }
        }
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    /** tanh through exp: {@link Math#tanh} is not a JIT intrinsic and is several times slower. */
    static double tanh(double v) {
        return 2.0 / (1.0 + Math.exp(-2.0 * v)) - 1.0;
    }
}
