package io.sparklstm.model.fastlstm;

/**
 * {@link GateMath} for DOUBLE networks: straightforward fused loops, exact {@code Math.exp}-based tanh/sigmoid.
 * Speed is secondary here (double precision is for verification, e.g. gradient checks).
 */
final class DoubleGates extends GateMath {

    private double[][] act; // per step: gate activations [B, 4n]: a | f | o | g
    private double[][] cell; // per step t+1: c_t [B, n]; cell[0] = c_{-1} = 0
    private double[][] tcell; // per step: tanh(c_t) [B, n]
    private double[] row; // h_t or dL/dh_t [B, n]
    private double[] carry; // dL/dc_t carried from step t+1 through the forget gate [B, n]
    private final double[] bias;

    DoubleGates(int n) {
        super(n);
        this.bias = new double[4 * n];
    }

    @Override
    protected void allocate() {
        act = new double[steps][batch * 4 * n];
        cell = new double[steps + 1][batch * n];
        tcell = new double[steps][batch * n];
        row = new double[batch * n];
        carry = new double[batch * n];
    }

    @Override
    void beginForward(double[] b) {
        System.arraycopy(b, 0, bias, 0, 4 * n);
        java.util.Arrays.fill(cell[0], 0.0);
    }

    @Override
    void forwardStep(int t, NativeBuf z, NativeBuf h) {
        final int G = 4 * n;
        final double[] a = act[t], cp = cell[t], cn = cell[t + 1], tc = tcell[t];
        z.read(t * batch * G, a, batch * G);
        for (int b = 0; b < batch; b++) {
            final int r = b * G;
            final int o = b * n;
            for (int j = 0; j < n; j++) {
                double ai = tanh(a[r + j] + bias[j]);
                double f = sigmoid(a[r + n + j] + bias[n + j]);
                double og = sigmoid(a[r + 2 * n + j] + bias[2 * n + j]);
                double g = sigmoid(a[r + 3 * n + j] + bias[3 * n + j]);
                double c = f * cp[o + j] + g * ai;
                double y = tanh(c);
                a[r + j] = ai;
                a[r + n + j] = f;
                a[r + 2 * n + j] = og;
                a[r + 3 * n + j] = g;
                cn[o + j] = c;
                tc[o + j] = y;
                row[o + j] = og * y;
            }
        }
        h.write((t + 1) * batch * n, row, batch * n);
    }

    @Override
    void beginBackward() {
        java.util.Arrays.fill(carry, 0.0);
    }

    @Override
    void backwardStep(int t, NativeBuf z, NativeBuf dh) {
        final int G = 4 * n;
        final double[] a = act[t], cp = cell[t], tc = tcell[t];
        dh.read(t * batch * n, row, batch * n);
        for (int b = 0; b < batch; b++) {
            final int r = b * G;
            final int o = b * n;
            for (int j = 0; j < n; j++) {
                double ai = a[r + j], f = a[r + n + j], og = a[r + 2 * n + j], g = a[r + 3 * n + j];
                double y = tc[o + j];
                double dhv = row[o + j];
                double dc = carry[o + j] + dhv * og * (1.0 - y * y);
                a[r + j] = dc * g * (1.0 - ai * ai);
                a[r + n + j] = dc * cp[o + j] * f * (1.0 - f);
                a[r + 2 * n + j] = dhv * y * og * (1.0 - og);
                a[r + 3 * n + j] = dc * ai * g * (1.0 - g);
                carry[o + j] = dc * f;
            }
        }
        z.write(t * batch * G, a, batch * G); // act[t] now holds dZ_t; it is not needed any more
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    /** tanh through exp: {@link Math#tanh} is not a JIT intrinsic and is several times slower. */
    static double tanh(double v) {
        return 2.0 / (1.0 + Math.exp(-2.0 * v)) - 1.0;
    }
}
