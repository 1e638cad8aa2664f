package io.sparklstm.model.fastlstm;

/**
 * A row-major product {@code C[m,n] = op(A)[m,k] op(B)[k,n] (+ beta C)} with dense operands (leading dimensions
 * {@link #lda()}, {@link #ldb()} and {@code n}): the key under which {@link GemmSelection} remembers its engine.
 * {@code bRepeats} marks the per-step recurrent products, whose B is the same weight matrix at every step of a pass;
 * {@link GemmSelection} times those as they run, with B's conversion (BF16) paid once per pass, not per call.
 */
record GemmShape(boolean transA, boolean transB, int m, int n, int k, boolean bRepeats) {

    GemmShape(boolean transA, boolean transB, int m, int n, int k) {
        this(transA, transB, m, n, k, false);
    }

    int lda() {
        return transA ? m : k;
    }

    int ldb() {
        return transB ? k : n;
    }

    long aElements() {
        return (long) m * k;
    }

    long bElements() {
        return (long) k * n;
    }

    long cElements() {
        return (long) m * n;
    }

    double flop() {
        return 2.0 * m * n * k;
    }

    @Override
    public String toString() {
        return m + "x" + n + "x" + k + " " + (transA ? 'T' : 'N') + (transB ? 'T' : 'N')
                + (bRepeats ? " per step" : "");
    }
}
