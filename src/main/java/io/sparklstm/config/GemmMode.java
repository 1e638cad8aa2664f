package io.sparklstm.config;

/**
 * How FastLSTM's matrix products are computed ({@code --gemm}). The layer's GEMMs are small (a recurrent step is
 * {@code [64 x 128] x [128 x 512]}), and which library is fastest at such shapes depends on the CPU and on the
 * library's kernels for it, not on a CPU flag one could read: the measuring modes therefore time each engine at each
 * of the layer's shapes once per JVM and keep oneDNN unless another engine is clearly faster. See {@code io.sparklstm.model.fastlstm.GemmSelection}.
 */
public enum GemmMode {
    /**
     * The precision once per JVM from the CPU's capability, never from a timing (the precision decides what a seed
     * trains to): BF16 everywhere where the CPU computes BF16 products natively (oneDNN reports AVX512_BF16 or AMX);
     * otherwise exactly {@link #FP32}.
     */
    AUTO,
    /** The FP32 engine per shape by measurement: OpenBLAS (ND4J's) or oneDNN. */
    FP32,
    /** OpenBLAS 0.3.19, the library ND4J itself calls: FP32 everywhere, nothing measured. */
    OPENBLAS,
    /** oneDNN 2.5's {@code dnnl_sgemm}: FP32 everywhere, nothing measured. */
    ONEDNN,
    /**
     * oneDNN's matmul with BF16 inputs, FP32 accumulation and FP32 outputs; weights, gradients and updater state
     * stay FP32. Forced even where the CPU has no BF16 instructions (then slow: for tests and comparisons).
     */
    BF16
}
