package io.sparklstm.model.fastlstm;

/**
 * {@link GateMath} for FLOAT networks, written for HotSpot's auto-vectorizer (C2 "SuperWord", AVX2/AVX-512).
 *
 * <p>Rules the loops follow so that C2 turns them into SIMD code: each loop is a simple counted loop over
 * {@code j} in its own small method; it may read one array at several offsets, but every array it <em>writes</em>
 * is accessed at a single offset pattern (an array written at {@code r+j} and read at {@code r+n+j} makes C2 assume
 * a dependence and give up). Hence the per-step arrays (c_{t-1} and c_t are different arrays), the separate
 * {@code dz} buffer, and one loop per gate block instead of one fused loop.</p>
 *
 * <p>tanh and sigmoid use a clamped rational approximation (the [13/6] minimax form used by Eigen/TensorFlow for
 * float tanh; max abs error about 3e-7 over the real line, i.e. float precision) because {@code Math.exp} is a
 * scalar call that C2 cannot vectorize: about 0.05 ns instead of 5-10 ns per value. sigmoid(x) = (1 + tanh(x/2))/2.
 * Results therefore match the stock LSTM to float round-off (about 1e-6), not bit for bit.</p>
 */
final class FloatGates extends GateMath {

    private float[][] act;      // per step: gate activations [B, 4n]: a | f | o | g
    private float[][] cell;     // per step t+1: c_t [B, n]; cell[0] = c_{-1} = 0
    private float[][] tcell;    // per step: tanh(c_t) [B, n]
    private float[] row;        // h_t or dL/dh_t [B, n]
    private float[] dc;         // dL/dc_t [B, n]
    private float[] carry;      // dL/dc_t carried from step t+1 through the forget gate [B, n]
    private float[] dz;         // dZ_t [B, 4n]
    private final float[] bias;

    FloatGates(int n) {
        super(n);
        this.bias = new float[4 * n];
    }

    @Override
    protected void allocate() {
        act = new float[steps][batch * 4 * n];
        cell = new float[steps + 1][batch * n];
        tcell = new float[steps][batch * n];
        row = new float[batch * n];
        dc = new float[batch * n];
        carry = new float[batch * n];
        dz = new float[batch * 4 * n];
    }

    @Override
    void beginForward(double[] b) {
        for (int i = 0; i < 4 * n; i++) {
            bias[i] = (float) b[i];
        }
        java.util.Arrays.fill(cell[0], 0f);
    }

    @Override
    void forwardStep(int t, NativeBuf z, NativeBuf h) {
        final int G = 4 * n;
        final float[] a = act[t];
        z.read(t * batch * G, a, batch * G);
        for (int b = 0; b < batch; b++) {
            final int r = b * G;
            tanhInPlace(a, r, bias, 0, n);
            sigmoidInPlace(a, r + n, bias, n, 3 * n);
            cellForward(a, r, n, cell[t], cell[t + 1], tcell[t], row, b * n);
        }
        h.write((t + 1) * batch * n, row, batch * n);
    }

    @Override
    void beginBackward() {
        java.util.Arrays.fill(carry, 0f);
    }

    @Override
    void backwardStep(int t, NativeBuf z, NativeBuf dh) {
        final int G = 4 * n;
        final float[] a = act[t];
        dh.read(t * batch * n, row, batch * n);
        for (int b = 0; b < batch; b++) {
            final int r = b * G;
            final int o = b * n;
            cellBackward(a, r, n, tcell[t], row, carry, dc, dz, o);
            inputDelta(a, r, n, dc, dz, o);
            forgetDelta(a, r, n, dc, cell[t], carry, dz, o);
            inputGateDelta(a, r, n, dc, dz, o);
        }
        z.write(t * batch * G, dz, batch * G);
    }

    // ---- forward loops ----

    /** x[off+j] = tanh(x[off+j] + b[boff+j]) for j < len. */
    private static void tanhInPlace(float[] x, int off, float[] b, int boff, int len) {
        for (int j = 0; j < len; j++) {
            x[off + j] = tanh(x[off + j] + b[boff + j]);
        }
    }

    /** x[off+j] = sigmoid(x[off+j] + b[boff+j]) for j < len. */
    private static void sigmoidInPlace(float[] x, int off, float[] b, int boff, int len) {
        for (int j = 0; j < len; j++) {
            x[off + j] = sigmoid(x[off + j] + b[boff + j]);
        }
    }

    /** c = f*c_prev + g*a, tc = tanh(c), h = o*tc for one minibatch row (gate row at r, state row at o). */
    private static void cellForward(float[] act, int r, int n, float[] cPrev, float[] cNew, float[] tc, float[] h, int o) {
        for (int j = 0; j < n; j++) {
            float c = act[r + n + j] * cPrev[o + j] + act[r + 3 * n + j] * act[r + j];
            float y = tanh(c);
            cNew[o + j] = c;
            tc[o + j] = y;
            h[o + j] = act[r + 2 * n + j] * y;
        }
    }

    // ---- backward loops (dz row at r, state rows at o) ----

    /** dc = carry + dh*o*(1 - tc^2); dzo = dh*tc*o*(1 - o). */
    private static void cellBackward(float[] act, int r, int n, float[] tc, float[] dh, float[] carry, float[] dc,
                                     float[] dz, int o) {
        for (int j = 0; j < n; j++) {
            float og = act[r + 2 * n + j];
            float y = tc[o + j];
            dc[o + j] = carry[o + j] + dh[o + j] * og * (1f - y * y);
            dz[r + 2 * n + j] = dh[o + j] * y * og * (1f - og);
        }
    }

    /** dza = dc*g*(1 - a^2). */
    private static void inputDelta(float[] act, int r, int n, float[] dc, float[] dz, int o) {
        for (int j = 0; j < n; j++) {
            float a = act[r + j];
            dz[r + j] = dc[o + j] * act[r + 3 * n + j] * (1f - a * a);
        }
    }

    /** dzf = dc*c_prev*f*(1 - f); carry = dc*f for step t-1. */
    private static void forgetDelta(float[] act, int r, int n, float[] dc, float[] cPrev, float[] carry, float[] dz,
                                    int o) {
        for (int j = 0; j < n; j++) {
            float f = act[r + n + j];
            dz[r + n + j] = dc[o + j] * cPrev[o + j] * f * (1f - f);
            carry[o + j] = dc[o + j] * f;
        }
    }

    /** dzg = dc*a*g*(1 - g). */
    private static void inputGateDelta(float[] act, int r, int n, float[] dc, float[] dz, int o) {
        for (int j = 0; j < n; j++) {
            float g = act[r + 3 * n + j];
            dz[r + 3 * n + j] = dc[o + j] * act[r + j] * g * (1f - g);
        }
    }

    // ---- activations ----

    private static final float CLAMP = 7.90531110763549805f;   // tanh(CLAMP) rounds to +-1 in float

    /** Rational [13/6] approximation of tanh on [-CLAMP, CLAMP] (Eigen's generic_fast_tanh_float), clamped. */
    static float tanh(float v) {
        float x = Math.max(-CLAMP, Math.min(CLAMP, v));
        float x2 = x * x;
        float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
        p = x2 * p + -8.60467152213735e-11f;
        p = x2 * p + 5.12229709037114e-08f;
        p = x2 * p + 1.48572235717979e-05f;
        p = x2 * p + 6.37261928875436e-04f;
        p = x2 * p + 4.89352455891786e-03f;
        float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
        q = x2 * q + 2.26843463243900e-03f;
        q = x2 * q + 4.89352518554385e-03f;
        return x * p / q;
    }

    static float sigmoid(float v) {
        return 0.5f + 0.5f * tanh(0.5f * v);
    }
}
