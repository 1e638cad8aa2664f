package io.sparklstm.bench;

import io.sparklstm.cli.SparkSetup;
import io.sparklstm.data.MinibatchStager;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.model.LstmImplementation;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.EpochStats;
import io.sparklstm.train.NativeThreads;
import io.sparklstm.train.TrainingSettings;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Convergence run for bench/run.sh, submitted through SparkSubmit like the job: the job's own stages (staging,
 * {@link DistributedTrainer}, {@link DistributedEvaluator}, {@link SeedNetwork}) wired as in {@code TrainingJob}, but
 * with a distributed evaluation on the test set after every epoch, until {@code --stop-at} accuracy or
 * {@code --max-epochs}. Evaluation does not touch the trained parameters, and each epoch's shuffle depends only on
 * seed and epoch, so epoch N's model is the one {@code --epochs N} would publish.
 *
 * <p>Defaults are the job's (the bundled {@code sparklstm.properties}); options {@code --data --work --max-epochs
 * --stop-at --batch-size --averaging-frequency --workers --prefetch-batches --learning-rate --lstm-units --seed
 * --train-limit --test-limit --out}. Per epoch it records training loss and seconds, evaluation seconds and accuracy,
 * and the driver's memory (in local mode: the executors' too).
 */
public final class EpochEvalBench {

    public static void main(String[] argv) throws Exception {
        Properties defaults = new Properties();
        try (InputStream in = EpochEvalBench.class.getResourceAsStream("/sparklstm.properties")) {
            defaults.load(in);
        }
        Map<String, String> a = BenchSupport.args(argv);
        java.util.function.Function<String, String> opt = k -> a.getOrDefault(k, defaults.getProperty(k));
        String data = opt.apply("data");
        String work = a.getOrDefault("work", "target/bench-work/epoch-eval");
        int maxEpochs = Integer.parseInt(a.getOrDefault("max-epochs", "10"));
        double stopAt = Double.parseDouble(a.getOrDefault("stop-at", "0.99"));
        int batch = Integer.parseInt(opt.apply("batch-size"));
        int freq = Integer.parseInt(opt.apply("averaging-frequency"));
        int workersOpt = Integer.parseInt(opt.apply("workers"));
        int prefetch = Integer.parseInt(opt.apply("prefetch-batches"));
        double lr = Double.parseDouble(opt.apply("learning-rate"));
        double lrDecay = Double.parseDouble(opt.apply("lr-decay"));
        int units = Integer.parseInt(opt.apply("lstm-units"));
        long seed = Long.parseLong(opt.apply("seed"));
        int trainLimit = Integer.parseInt(opt.apply("train-limit"));
        int testLimit = Integer.parseInt(opt.apply("test-limit"));

        JavaSparkContext sc = SparkSetup.fromSubmit();
        Map<String, Object> result = new LinkedHashMap<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        try {
            NativeThreads.limitOnce(NativeThreads.taskCpus(sc));
            MnistInputs inputs = MnistInputs.inspect(data, sc.hadoopConfiguration());
            Path workDir = new Path(work);
            FileSystem fs = workDir.getFileSystem(sc.hadoopConfiguration());
            fs.delete(workDir, true);
            MinibatchStager stager = new MinibatchStager(sc, fs);
            StagedSplit train = stager.stage(inputs.train(), trainLimit, batch, new Path(workDir, "train"));
            StagedSplit test = stager.stage(inputs.test(), testLimit, 256, new Path(workDir, "test"));
            int workers = workersOpt > 0 ? workersOpt : sc.defaultParallelism();
            TrainingSettings settings = new TrainingSettings(workers, batch, freq, prefetch, seed);
            MultiLayerNetwork network = new SeedNetwork(units, lr, lrDecay, Double.parseDouble(opt.apply("dropout")), seed,
                    LstmImplementation.valueOf(opt.apply("lstm-impl").trim().toUpperCase(Locale.ROOT))).newNetwork();
            DistributedTrainer trainer = new DistributedTrainer(sc, network, settings);
            DistributedEvaluator evaluator = new DistributedEvaluator(sc);
            result.put("settings", Map.of("workers", workers, "batchSize", batch, "averagingFrequency", freq,
                    "prefetchBatches", prefetch, "learningRate", lr, "lstmUnits", units, "seed", seed,
                    "lstmImpl", opt.apply("lstm-impl")));
            result.put("trainExamples", train.examples());
            result.put("testExamples", test.examples());
            double trainTotal = 0;
            for (int epoch = 1; epoch <= maxEpochs; epoch++) {
                EpochStats stats = trainer.fitEpoch(epoch, train);
                trainTotal += stats.seconds();
                long t0 = System.nanoTime();
                ClassificationReport report = evaluator.evaluate(trainer.network(), test);
                double evalSeconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", epoch);
                e.put("loss", stats.loss());
                e.put("trainSeconds", stats.seconds());
                e.put("trainSamplesPerSecond", stats.samplesPerSecond());
                e.put("cumulativeTrainSeconds", trainTotal);
                e.put("evalSeconds", evalSeconds);
                e.put("evalSamplesPerSecond", report.examples() / evalSeconds);
                e.put("accuracy", report.accuracy());
                e.put("memory", BenchSupport.nativeMemory());
                e.put("timeMs", System.currentTimeMillis());
                epochs.add(e);
                System.out.printf(Locale.ROOT, "epoch-eval: epoch %d loss %.4f train %.1f s (%.0f samples/s) "
                                + "eval %.1f s accuracy %.4f%n", epoch, stats.loss(), stats.seconds(),
                        stats.samplesPerSecond(), evalSeconds, report.accuracy());
                if (report.accuracy() >= stopAt) {
                    break;
                }
            }
            fs.delete(workDir, true);
        } finally {
            result.put("epochs", epochs);
            if (a.containsKey("out")) {
                BenchSupport.writeJson(java.nio.file.Path.of(a.get("out")), result);
            }
            sc.stop();
        }
    }
}
