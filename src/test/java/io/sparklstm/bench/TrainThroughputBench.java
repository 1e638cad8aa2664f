package io.sparklstm.bench;

import io.sparklstm.Fixtures;
import io.sparklstm.config.LstmImplementation;
import io.sparklstm.data.Minibatches;
import io.sparklstm.model.NativeThreads;
import io.sparklstm.model.SeedNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Figures (a) and (b) of bench/run.sh: training throughput of the seed network with DL4J's stock LSTM and with the
 * project's FastLSTM, in one JVM on one thread, on real MNIST minibatches (the first training examples, encoded by the
 * job's own {@link Minibatches}), plus single-thread evaluation (forward-only) throughput at the job's evaluation
 * batch size. Not a unit test.
 *
 * <p>Both networks are built by the job's {@link SeedNetwork} with its defaults (128 units, Adam 1e-3). After a warm-up
 * each round times {@code --timed} {@code fit()} calls of each implementation in turn (alternating, so background load
 * hits both alike); the best and the median round are reported. Options: {@code --data DIR --batch N --warmup N
 * --timed N --rounds N --eval-batches N --impls stock,fast --out FILE}.
 */
public final class TrainThroughputBench {

    private static final int IMAGE_BYTES = 28 * 28;
    private static final int EVAL_BATCH = 256; // TrainingJob.EVAL_BATCH_SIZE

    public static void main(String[] argv) {
        Map<String, String> a = BenchSupport.args(argv);
        Path data = Path.of(a.getOrDefault("data", "data/mnist"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "64"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        int timed = Integer.parseInt(a.getOrDefault("timed", "20"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int evalBatches = Integer.parseInt(a.getOrDefault("eval-batches", "8"));
        List<LstmImplementation> impls = new ArrayList<>();
        for (String s : a.getOrDefault("impls", "stock,fast").split(",")) {
            impls.add(LstmImplementation.valueOf(s.trim().toUpperCase(Locale.ROOT)));
        }

        NativeThreads.limitOnce(1); // the job's per-task cap; OMP_NUM_THREADS=1 is set by the caller as well
        System.out.printf(
                "throughput: OPENBLAS_CORETYPE=%s, OMP_NUM_THREADS=%s%n",
                System.getenv("OPENBLAS_CORETYPE"), System.getenv("OMP_NUM_THREADS"));

        byte[] trainPixels = BenchSupport.idxPayload(data.resolve("train-images-idx3-ubyte"), 16);
        byte[] trainLabels = BenchSupport.idxPayload(data.resolve("train-labels-idx1-ubyte"), 8);
        byte[] testPixels = BenchSupport.idxPayload(data.resolve("t10k-images-idx3-ubyte"), 16);
        byte[] testLabels = BenchSupport.idxPayload(data.resolve("t10k-labels-idx1-ubyte"), 8);
        int distinct = Math.min(trainLabels.length / batch, Math.max(warmup, timed));
        List<DataSet> train = new ArrayList<>();
        for (int b = 0; b < distinct; b++) {
            train.add(Minibatches.of(trainPixels, trainLabels, b * batch, batch));
        }
        List<DataSet> test = new ArrayList<>();
        for (int b = 0; b < Math.min(evalBatches, testLabels.length / EVAL_BATCH); b++) {
            test.add(Minibatches.of(testPixels, testLabels, b * EVAL_BATCH, EVAL_BATCH));
        }
        if (trainPixels.length != trainLabels.length * IMAGE_BYTES) {
            throw new IllegalStateException("image/label count mismatch");
        }

        Map<LstmImplementation, MultiLayerNetwork> nets = new LinkedHashMap<>();
        for (LstmImplementation impl : impls) {
            nets.put(
                    impl,
                    Fixtures.seedNetwork(
                                    "--lstm-units",
                                    "128",
                                    "--learning-rate",
                                    "1e-3",
                                    "--lr-decay",
                                    "1.0",
                                    "--dropout",
                                    "0.0",
                                    "--seed",
                                    "12345",
                                    "--lstm-impl",
                                    String.valueOf(impl))
                            .newNetwork());
        }
        int[] cursor = {0};
        for (MultiLayerNetwork net : nets.values()) {
            fit(net, train, warmup, cursor);
        }
        Map<LstmImplementation, List<Double>> rates = new LinkedHashMap<>();
        impls.forEach(i -> rates.put(i, new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder("throughput: round " + (r + 1));
            for (Map.Entry<LstmImplementation, MultiLayerNetwork> e : nets.entrySet()) {
                double seconds = fit(e.getValue(), train, timed, cursor);
                double rate = (double) batch * timed / seconds;
                rates.get(e.getKey()).add(rate);
                line.append(String.format(Locale.ROOT, ", %s %.1f samples/s", e.getKey(), rate));
            }
            System.out.println(line);
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("openblasCoretype", System.getenv("OPENBLAS_CORETYPE"));
        out.put("ompNumThreads", System.getenv("OMP_NUM_THREADS"));
        out.put("batch", batch);
        out.put("warmupBatches", warmup);
        out.put("timedBatches", timed);
        out.put("rounds", rounds);
        Map<String, Object> train0 = new LinkedHashMap<>();
        Map<String, Object> eval0 = new LinkedHashMap<>();
        for (LstmImplementation impl : impls) {
            List<Double> rs = rates.get(impl);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("best", rs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
            m.put("median", BenchSupport.median(rs));
            m.put("rounds", rs);
            train0.put(impl.name().toLowerCase(Locale.ROOT), m);

            MultiLayerNetwork net = nets.get(impl);
            net.output(test.get(0).getFeatures(), false); // warm-up
            long t0 = System.nanoTime();
            long n = 0;
            for (DataSet ds : test) {
                net.output(ds.getFeatures(), false);
                n += ds.numExamples();
            }
            double evalRate = n / ((System.nanoTime() - t0) / 1e9);
            eval0.put(impl.name().toLowerCase(Locale.ROOT), evalRate);
            System.out.printf(
                    Locale.ROOT,
                    "throughput: %s train best %.1f / median %.1f samples/s, eval %.0f samples/s%n",
                    impl,
                    m.get("best"),
                    m.get("median"),
                    evalRate);
        }
        out.put("trainSamplesPerSecond", train0);
        out.put("evalSamplesPerSecond", eval0);
        out.put("evalBatch", EVAL_BATCH);
        out.put("memory", BenchSupport.nativeMemory());
        if (a.containsKey("out")) {
            BenchSupport.writeJson(Path.of(a.get("out")), out);
        }
        System.exit(0);
    }

    private static double fit(MultiLayerNetwork net, List<DataSet> batches, int n, int[] cursor) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            net.fit(batches.get(cursor[0]++ % batches.size()));
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
