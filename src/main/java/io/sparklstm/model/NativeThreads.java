package io.sparklstm.model;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps ND4J's native threads per JVM. Spark already runs one task per core, each fitting its own minibatches; letting
 * every task fan out over all cores as well oversubscribes the machine (measured: one native thread per task trains
 * twice as fast on 2 cores). ND4J 1.0.0-M2 reads {@code OMP_NUM_THREADS} at start-up but then forces its OpenMP pool
 * to 4 threads, so the limit has to be applied again from Java in every JVM that computes: the driver and each
 * executor.
 */
public final class NativeThreads {

    private static final Logger log = LoggerFactory.getLogger(NativeThreads.class);
    private static final AtomicBoolean applied = new AtomicBoolean();

    private NativeThreads() {}

    /**
     * Threads each task may use: {@code OMP_NUM_THREADS} when set in this process's environment, else
     * {@code fallback} (the job passes {@code spark.task.cpus}).
     */
    public static int perTask(int fallback) {
        String env = System.getenv("OMP_NUM_THREADS");
        try {
            return env == null || env.isBlank() ? fallback : Math.max(1, Integer.parseInt(env.trim()));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** {@code spark.task.cpus}: the cores Spark gives each task, the fallback of {@link #perTask}. */
    public static int taskCpus(JavaSparkContext sc) {
        return sc.getConf().getInt("spark.task.cpus", 1);
    }

    /** Applies the limit once per JVM; later calls do nothing. */
    public static void limitOnce(int fallback) {
        if (applied.compareAndSet(false, true)) {
            int threads = perTask(fallback);
            Nd4j.getEnvironment().setMaxThreads(threads); // first: loads the backend NativeOpsHolder needs
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
            log.info(
                    "ND4J native threads per task: {} (OPENBLAS_CORETYPE={})",
                    threads,
                    System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset: OpenBLAS detects the CPU"));
        }
    }
}
