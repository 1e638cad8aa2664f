package io.sparklstm.model.fastlstm;

import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A library that computes FastLSTM's FP32 products: row-major {@code C[m,n] = op(A)[m,k] op(B)[k,n] + beta C} on
 * native float memory. Which engine serves which of the layer's shapes is decided by {@link GemmSelection}.
 *
 * <p>oneDNN and ND4J share one OpenMP runtime here (libgomp is loaded once), and OpenMP's thread limit is a
 * per-thread setting: oneDNN would use every core from a Spark task thread that never set it. {@link #ONEDNN} and
 * {@link #BF16} therefore cap the calling thread first ({@link NativeCap}).</p>
 */
enum GemmEngine {
    /** ND4J's own OpenBLAS 0.3.19 ({@code cblas_sgemm}). */
    OPENBLAS {
        @Override
        void sgemm(GemmShape s, FloatPointer a, FloatPointer b, float beta, FloatPointer c, Reuse reuse) {
            openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor,
                    s.transA() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    s.transB() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    s.m(),
                    s.n(),
                    s.k(),
                    1f,
                    a,
                    s.lda(),
                    b,
                    s.ldb(),
                    beta,
                    c,
                    s.n());
        }
    },
    /** oneDNN 2.5's {@code dnnl_sgemm} (row-major, JIT-generated kernels for the CPU it runs on). */
    ONEDNN {
        @Override
        void sgemm(GemmShape s, FloatPointer a, FloatPointer b, float beta, FloatPointer c, Reuse reuse) {
            NativeCap.apply();
            int status = dnnl.dnnl_sgemm(
                    (byte) (s.transA() ? 'T' : 'N'),
                    (byte) (s.transB() ? 'T' : 'N'),
                    s.m(),
                    s.n(),
                    s.k(),
                    1f,
                    a,
                    s.lda(),
                    b,
                    s.ldb(),
                    beta,
                    c,
                    s.n());
            if (status != dnnl.dnnl_success) {
                throw new IllegalStateException("dnnl_sgemm failed with status " + status);
            }
        }
    },
    /** oneDNN's matmul on BF16 copies of A and B, FP32 accumulation into FP32 C ({@link Bf16Matmul}). */
    BF16 {
        @Override
        void sgemm(GemmShape s, FloatPointer a, FloatPointer b, float beta, FloatPointer c, Reuse reuse) {
            NativeCap.apply();
            Bf16Matmul.forThread().multiply(s, a, b, beta, c, reuse);
        }
    };

    /**
     * {@code C = op(A) op(B) + beta C} for dense row-major operands of this shape; {@code reuse} names an operand the
     * caller promises unchanged ({@link Reuse}).
     */
    abstract void sgemm(GemmShape shape, FloatPointer a, FloatPointer b, float beta, FloatPointer c, Reuse reuse);

    /** {@link #sgemm(GemmShape, FloatPointer, FloatPointer, float, FloatPointer, Reuse)} with new operands. */
    final void sgemm(GemmShape shape, FloatPointer a, FloatPointer b, float beta, FloatPointer c) {
        sgemm(shape, a, b, beta, c, Reuse.NONE);
    }

    /** Lower-case name, as in logs and the bench. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
