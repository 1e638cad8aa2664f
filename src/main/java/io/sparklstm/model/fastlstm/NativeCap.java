package io.sparklstm.model.fastlstm;

import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Applies the per-task native thread limit to the calling thread's OpenMP setting, once per thread. ND4J's own
 * {@code setOmpNumThreads} calls {@code omp_set_num_threads}, which in libgomp sets only the calling thread's limit;
 * oneDNN, sharing that runtime, reads it on every call. Measured here: a oneDNN product from a fresh thread used 2.0
 * cores, and 1.0 after this.
 */
final class NativeCap {

    private static volatile int threads = 1;
    private static final ThreadLocal<Integer> applied = new ThreadLocal<>();

    private NativeCap() {}

    /** The limit later {@link #apply} calls set (the job passes its threads per task). */
    static void set(int threadsPerTask) {
        threads = Math.max(1, threadsPerTask);
    }

    static void apply() {
        Integer current = applied.get();
        if (current == null || current != threads) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            applied.set(threads);
        }
    }
}
