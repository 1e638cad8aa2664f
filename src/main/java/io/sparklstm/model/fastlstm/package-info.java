/**
 * FastLSTM: a drop-in, much faster CPU replacement for DL4J 1.0.0-M2's {@code LSTM} layer (tanh, sigmoid gates,
 * no peepholes, full BPTT, no masks).
 *
 * <h2>Why the stock LSTM is slow</h2>
 * {@code LSTMHelpers} runs a dozen or more small ND4J ops per time step and layer (slices, gemm, activations,
 * dups, muls, ...), forward and again backward, and recomputes the forward pass inside backprop; with a
 * {@code [64, 128]} state each op is only microseconds of arithmetic, so per-op dispatch dominates
 * (about 0.17 s fixed cost per minibatch for the 3-layer seed network).
 *
 * <h2>What FastLSTM does instead</h2>
 * <ul>
 *   <li>{@link io.sparklstm.model.fastlstm.LstmKernel}: one GEMM for the input projection of all time steps,
 *       one GEMM per step for the recurrence, and after the backward loop one GEMM each for dW, dRW and dX plus one
 *       GEMV for db, all straight into a BLAS ({@code sgemm} on the native addresses of preallocated
 *       buffers and of DL4J's parameter/gradient views) - about 2T + 4 native calls per layer and minibatch.
 *       {@link io.sparklstm.model.fastlstm.GemmSelection} picks the library per product shape by timing:
 *       OpenBLAS (ND4J's), oneDNN's {@code dnnl_sgemm}, or oneDNN's BF16 matmul on CPUs with native BF16.</li>
 *   <li>{@link io.sparklstm.model.fastlstm.FloatGates}: the element-wise gate math in Java loops over
 *       {@code float[]} laid out so that HotSpot C2 auto-vectorizes them (AVX2/AVX-512), with a float-accurate
 *       rational tanh/sigmoid; {@link io.sparklstm.model.fastlstm.DoubleGates} is the exact double version.</li>
 *   <li>{@link io.sparklstm.model.fastlstm.FastLSTMLayer}: the forward state of a training pass is kept for the
 *       following backprop instead of being recomputed; activations and input gradients leave the layer in the
 *       kernel's time-major layout (a permuted view as DL4J's {@code [B, k, T]}), so the next FastLSTM layer loads
 *       them with one memcpy.</li>
 * </ul>
 * Parameters (keys, shapes, flattened layout, gate order, initialisation) are identical to the stock LSTM
 * ({@link io.sparklstm.model.fastlstm.FastLSTMParamInitializer}), so stock and fast networks exchange
 * {@code params()} 1:1 and updater state, Spark parameter averaging and model files work unchanged.
 *
 * <h2>Deployment note: OpenBLAS kernel selection</h2>
 * The OpenBLAS 0.3.19 bundled with ND4J M2 does not recognise recent Xeons (e.g. family 6 model 0xCF) and falls
 * back to its generic "Prescott" SSE3 kernels ({@code OPENBLAS_VERBOSE=2} prints {@code Core: Prescott}); SGEMM
 * then runs at a fraction of the CPU's speed. Setting the environment variable {@code OPENBLAS_CORETYPE=SkylakeX}
 * (AVX-512 CPUs; {@code Haswell} for AVX2-only) before the JVM starts - e.g. {@code spark.executorEnv.OPENBLAS_CORETYPE}
 * - makes the GEMMs several times faster; FastLSTM, being GEMM-bound, profits most.
 */
package io.sparklstm.model.fastlstm;
