package io.sparklstm.model.fastlstm;

/**
 * {@link GateMath} for FLOAT networks, written for HotSpot's auto-vectorizer (C2 "SuperWord", AVX2/AVX-512).
 *
 * <p>JDK 17's C2 only vectorizes a loop whose array accesses all share the same index expression (here
 * {@code [i]}): a second invariant offset such as {@code z[b*4n + j]} next to {@code c[b*n + j]} silently
 * disables it, and in-place updates of one array at different offsets create assumed dependences. So the
 * element-wise work runs in gate-major layout: the row-major step block {@code Z_t [B, 4n]} is copied out of native
 * memory block by block straight into four {@code [B*n]} arrays {@code a, f, o, g} ({@link NativeBuf#readBlocks}),
 * the bias is pre-tiled to {@code [B*n]} per gate, and each pass is then a flat loop over {@code i < B*n} with every
 * array indexed {@code [i]} (an order of magnitude faster than the same math looping over rows). Backward, the deltas
 * are computed in place of the gate activations and copied back into the {@code [B, 4n]} rows of native memory the
 * same way. A loop body must also stay short: C2 leaves long ones scalar (see {@link #forwardLoop} and
 * {@link #backwardLoop}).</p>
 *
 * <p>Tried and dropped: the same math with the Vector API (Java 17's incubator module), fused into one pass per step
 * that reads and writes native memory directly, ran 1.8 times slower than these C2-vectorized loops (2026-12-03,
 * AVX2): JDK 17 does not compile the long vector expressions well.</p>
 *
 * <p>tanh and sigmoid use a clamped rational approximation (the [13/6] minimax form used by Eigen/TensorFlow for
 * float tanh; max abs error about 3e-7 over the real line, i.e. float precision) because {@code Math.exp} is a
 * scalar call that C2 cannot vectorize; its polynomials use fused multiply-adds where the CPU has them.
 * sigmoid(x) = (1 + tanh(x/2))/2. Results therefore match the stock LSTM to float round-off (about 1e-6), not bit for
 * bit.</p>
 */
final class FloatGates extends GateMath {

    private static final int I = 0, F = 1, O = 2, G = 3; // gate blocks, DL4J order

    private float[][][] act; // [t][gate]: gate activations of step t, [B*n] each; deltas after backward
    private float[][] cell; // [t+1]: c_t [B*n]; cell[0] = c_{-1} = 0
    private float[][] tcell; // [t]: tanh(c_t) [B*n]
    private float[][] biasTile; // [gate]: bias repeated for every minibatch row [B*n]
    private float[] row; // h_t or dL/dh_t [B*n]
    private float[] carry; // dL/dc_t carried from step t+1 through the forget gate [B*n]
    private float[] cellGrad; // dL/dc_t of the step being backpropagated [B*n]

    FloatGates(int n) {
        super(n);
    }

    @Override
    protected void allocate() {
        int bn = batch * n;
        act = new float[steps][4][bn];
        cell = new float[steps + 1][bn];
        tcell = new float[steps][bn];
        biasTile = new float[4][bn];
        row = new float[bn];
        carry = new float[bn];
        cellGrad = new float[bn];
    }

    @Override
    void beginForward(double[] b) {
        for (int gate = 0; gate < 4; gate++) {
            for (int bi = 0; bi < batch; bi++) {
                for (int j = 0; j < n; j++) {
                    biasTile[gate][bi * n + j] = (float) b[gate * n + j];
                }
            }
        }
        java.util.Arrays.fill(cell[0], 0f);
    }

    @Override
    void forwardStep(int t, NativeBuf z, NativeBuf h) {
        float[][] gates = act[t];
        z.readBlocks(t * batch * 4 * n, n, gates, batch);
        forwardLoop(
                batch * n,
                gates[I],
                gates[F],
                gates[O],
                gates[G],
                biasTile[I],
                biasTile[F],
                biasTile[O],
                biasTile[G],
                cell[t],
                cell[t + 1],
                tcell[t],
                row);
        h.write((t + 1) * batch * n, row, batch * n);
    }

    @Override
    void beginBackward() {
        java.util.Arrays.fill(carry, 0f);
    }

    @Override
    void backwardStep(int t, NativeBuf z, NativeBuf dh) {
        float[][] gates = act[t];
        dh.read(t * batch * n, row, batch * n);
        backwardLoop(batch * n, gates[I], gates[F], gates[O], gates[G], cell[t], tcell[t], row, carry, cellGrad);
        z.writeBlocks(t * batch * 4 * n, n, gates, batch);
    }

    /**
     * Gates (in place), cell state, tanh(cell) and output for one step. Small loops rather than one fused loop: C2
     * does not vectorize a loop body with several inlined tanh approximations (measured about 5x slower).
     */
    private static void forwardLoop(
            int len,
            float[] a,
            float[] f,
            float[] o,
            float[] g,
            float[] ba,
            float[] bf,
            float[] bo,
            float[] bg,
            float[] cPrev,
            float[] cNew,
            float[] tc,
            float[] h) {
        tanhInPlace(len, a, ba);
        sigmoidInPlace(len, f, bf);
        sigmoidInPlace(len, o, bo);
        sigmoidInPlace(len, g, bg);
        for (int i = 0; i < len; i++) {
            cNew[i] = f[i] * cPrev[i] + g[i] * a[i];
        }
        for (int i = 0; i < len; i++) {
            tc[i] = tanh(cNew[i]);
        }
        for (int i = 0; i < len; i++) {
            h[i] = o[i] * tc[i];
        }
    }

    /** x[i] = tanh(x[i] + b[i]). */
    private static void tanhInPlace(int len, float[] x, float[] b) {
        for (int i = 0; i < len; i++) {
            x[i] = tanh(x[i] + b[i]);
        }
    }

    /** x[i] = sigmoid(x[i] + b[i]). */
    private static void sigmoidInPlace(int len, float[] x, float[] b) {
        for (int i = 0; i < len; i++) {
            x[i] = sigmoid(x[i] + b[i]);
        }
    }

    /**
     * Gate deltas for one step, written over the gate activations; updates the carried dL/dc. Four small loops, for
     * the same reason as {@link #forwardLoop}: written as one loop (one pass over the arrays), C2 left it scalar and it
     * took four times as long (22 against 5.6 us for 64 x 128 elements, measured 2026-12-03).
     */
    private static void backwardLoop(
            int len,
            float[] a,
            float[] f,
            float[] o,
            float[] g,
            float[] cPrev,
            float[] tc,
            float[] dh,
            float[] carry,
            float[] dc) {
        for (int i = 0; i < len; i++) { // dL/dc_t: carried from t+1 plus through h_t = o * tanh(c_t)
            float y = tc[i];
            dc[i] = carry[i] + dh[i] * o[i] * (1f - y * y);
        }
        for (int i = 0; i < len; i++) {
            float ov = o[i];
            o[i] = dh[i] * tc[i] * ov * (1f - ov);
        }
        for (int i = 0; i < len; i++) {
            float av = a[i], gv = g[i], d = dc[i];
            a[i] = d * gv * (1f - av * av);
            g[i] = d * av * gv * (1f - gv);
        }
        for (int i = 0; i < len; i++) {
            float fv = f[i], d = dc[i];
            f[i] = d * cPrev[i] * fv * (1f - fv);
            carry[i] = d * fv;
        }
    }

    // ---- activations ----

    private static final float CLAMP = 7.90531110763549805f; // tanh(CLAMP) rounds to +-1 in float

    /**
     * Whether the CPU has fused multiply-add: {@link Math#fma} is then one instruction that C2 vectorizes (24 % faster
     * activations, measured here); without it, {@code Math.fma} falls back to a very slow exact software path, so
     * the polynomials use a separate multiply and add instead. A constant, so C2 keeps only one of the two.
     */
    static final boolean FMA = cpuHasFma();

    /** Rational [13/6] approximation of tanh on [-CLAMP, CLAMP] (Eigen's generic_fast_tanh_float), clamped. */
    static float tanh(float v) {
        float x = Math.max(-CLAMP, Math.min(CLAMP, v));
        float x2 = x * x;
        float p = mulAdd(x2, -2.76076847742355e-16f, 2.00018790482477e-13f);
        p = mulAdd(x2, p, -8.60467152213735e-11f);
        p = mulAdd(x2, p, 5.12229709037114e-08f);
        p = mulAdd(x2, p, 1.48572235717979e-05f);
        p = mulAdd(x2, p, 6.37261928875436e-04f);
        p = mulAdd(x2, p, 4.89352455891786e-03f);
        float q = mulAdd(x2, 1.19825839466702e-06f, 1.18534705686654e-04f);
        q = mulAdd(x2, q, 2.26843463243900e-03f);
        q = mulAdd(x2, q, 4.89352518554385e-03f);
        return x * p / q;
    }

    static float sigmoid(float v) {
        return mulAdd(0.5f, tanh(0.5f * v), 0.5f);
    }

    /** a * b + c, fused where the CPU can. */
    private static float mulAdd(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }

    /** Linux's CPU flags name "fma" (elsewhere: assume not, and take the separate multiply and add). */
    private static boolean cpuHasFma() {
        try (java.util.stream.Stream<String> lines =
                java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> (l + " ").contains(" fma "))
                    .orElse(false);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
