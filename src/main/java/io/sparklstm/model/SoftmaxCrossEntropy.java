package io.sparklstm.model;

/**
 * The math of a dense softmax layer with cross-entropy loss on plain float arrays, for {@link FastOutputLayer}.
 * Shapes: {@code rows} examples, {@code nIn} inputs, {@code nOut} classes; activations, labels and gradients with
 * respect to them are row-major ({@code [rows, nIn]}, {@code [rows, nOut]}), the weights {@code [nIn, nOut]} are
 * column-major, as DL4J stores them.
 *
 * <p>Same definitions as DL4J's {@code OutputLayer} with {@code LossMCXENT} and a softmax activation: the
 * probabilities are clipped to {@code [clip, 1 - clip]} for the loss only, the gradient with respect to the
 * pre-activations is {@code p - labels} (summed over the minibatch, not averaged: DL4J's updater divides by the
 * minibatch size). The products run as scalar loops with four partial sums, in float like a BLAS; the softmax
 * and the loss run in double. So results match DL4J's to float round-off, not bit for bit.</p>
 */
final class SoftmaxCrossEntropy {

    private SoftmaxCrossEntropy() {}

    /** Softmax of {@code x W + b}: {@code [rows, nOut]}. */
    static float[] probabilities(float[] x, int rows, int nIn, float[] w, float[] b, int nOut) {
        float[] p = new float[rows * nOut];
        double[] z = new double[nOut];
        for (int r = 0; r < rows; r++) {
            int xOff = r * nIn;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < nOut; j++) {
                z[j] = dot(x, xOff, w, j * nIn, nIn) + b[j];
                max = Math.max(max, z[j]);
            }
            double sum = 0;
            for (int j = 0; j < nOut; j++) {
                z[j] = Math.exp(z[j] - max);
                sum += z[j];
            }
            for (int j = 0; j < nOut; j++) {
                p[r * nOut + j] = (float) (z[j] / sum);
            }
        }
        return p;
    }

    /** The summed (not averaged) cross-entropy {@code -sum(labels * log(clip(p)))}. */
    static double loss(float[] p, float[] labels, double clip) {
        float lo = (float) clip, hi = (float) (1.0 - clip);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            if (labels[i] != 0) {
                sum += labels[i] * Math.log(Math.min(Math.max(p[i], lo), hi));
            }
        }
        return -sum;
    }

    /** {@code p - labels}, in place of {@code p}. */
    static float[] deltaInPlace(float[] p, float[] labels) {
        for (int i = 0; i < p.length; i++) {
            p[i] -= labels[i];
        }
        return p;
    }

    /** {@code x^T delta}, column-major {@code [nIn, nOut]} like the weights. */
    static float[] weightGradient(float[] x, float[] delta, int rows, int nIn, int nOut) {
        float[] g = new float[nIn * nOut];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < nOut; j++) {
                axpy(delta[r * nOut + j], x, r * nIn, g, j * nIn, nIn);
            }
        }
        return g;
    }

    /** The column sums of {@code delta}: {@code [nOut]}. */
    static float[] biasGradient(float[] delta, int rows, int nOut) {
        float[] g = new float[nOut];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < nOut; j++) {
                g[j] += delta[r * nOut + j];
            }
        }
        return g;
    }

    /** {@code delta W^T}: the gradient with respect to the layer's input, row-major {@code [rows, nIn]}. */
    static float[] inputGradient(float[] delta, float[] w, int rows, int nIn, int nOut) {
        float[] e = new float[rows * nIn];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < nOut; j++) {
                axpy(delta[r * nOut + j], w, j * nIn, e, r * nIn, nIn);
            }
        }
        return e;
    }

    /** Four partial sums: the additions of one do not wait for the other three. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code y[yOff ..] += alpha * x[xOff ..]} over {@code len} elements. */
    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
