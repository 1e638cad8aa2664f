package io.sparklstm.model.fastlstm;

/**
 * A row-major product {@code C[m,n] = op(A)[m,k] op(B)[k,n] (+ beta C)} with dense operands (leading dimensions
 * {@link #lda()}, {@link #ldb()} and {@code n}): the key under which {@link GemmSelection} remembers its engine.
 */
record GemmShape(boolean transA, boolean transB, int m, int n, int k) {

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
        return m + "x" + n + "x" + k + " " + (transA ? 'T' : 'N') + (transB ? 'T' : 'N');
    }
}
