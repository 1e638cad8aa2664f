package io.sparklstm.model.fastlstm;

import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Training throughput of the seed network (28x28 input, LSTM(128) x2, LastTimeStep(LSTM(128)), Dense(10) softmax,
 * Adam, float32, batch 64) with DL4J's stock LSTM and with {@link FastLSTM}, on random data, single thread.
 *
 * <p>Not a unit test. Run with {@code OMP_NUM_THREADS=1}, e.g.</p>
 * <pre>
 *   mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   OMP_NUM_THREADS=1 java $(opens) -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *       io.sparklstm.model.fastlstm.LstmThroughputBench [warmupBatches] [timedBatches] [rounds]
 * </pre>
 * Each round times {@code timedBatches} {@code fit()} calls of each implementation (alternating, to share any
 * background noise fairly); the best round of each is reported. Also try {@code OPENBLAS_CORETYPE=SkylakeX} (see
 * the package documentation: the bundled OpenBLAS may otherwise pick its slow generic kernels).
 */
public final class LstmThroughputBench {

    private static final int BATCH = 64, N_IN = 28, T = 28, HIDDEN = 128, CLASSES = 10;

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
            System.err.println("WARNING: OMP_NUM_THREADS is not 1, the benchmark is not single-threaded");
        }
        System.out.println("OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE"));

        DataSet ds = new DataSet(
                LstmNets.features(BATCH, N_IN, T, DataType.FLOAT, 1),
                LstmNets.labels(BATCH, CLASSES, DataType.FLOAT, 1));
        MultiLayerNetwork stock = LstmNets.net(false, N_IN, HIDDEN, CLASSES, T, DataType.FLOAT, new Adam(1e-3), 42);
        MultiLayerNetwork fast = LstmNets.net(true, N_IN, HIDDEN, CLASSES, T, DataType.FLOAT, new Adam(1e-3), 42);

        run(stock, ds, warmup);
        run(fast, ds, warmup);
        double[] stockRates = new double[rounds];
        double[] fastRates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            stockRates[r] = BATCH * timed / run(stock, ds, timed);
            fastRates[r] = BATCH * timed / run(fast, ds, timed);
            System.out.printf(
                    Locale.ROOT,
                    "round %d: stock %.1f samples/s, fast %.1f samples/s%n",
                    r + 1,
                    stockRates[r],
                    fastRates[r]);
        }
        double s = Arrays.stream(stockRates).max().orElse(0);
        double f = Arrays.stream(fastRates).max().orElse(0);
        System.out.printf(Locale.ROOT, "batch %d, %d timed batches x %d rounds, best round:%n", BATCH, timed, rounds);
        System.out.printf(Locale.ROOT, "  stock LSTM : %8.1f samples/s (%.1f ms/batch)%n", s, 1000.0 * BATCH / s);
        System.out.printf(Locale.ROOT, "  FastLSTM   : %8.1f samples/s (%.1f ms/batch)%n", f, 1000.0 * BATCH / f);
        System.out.printf(Locale.ROOT, "  speed-up   : %8.2fx%n", f / s);
    }

    /** Seconds for {@code n} minibatch fit() calls. */
    private static double run(MultiLayerNetwork net, DataSet ds, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            net.fit(ds);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
