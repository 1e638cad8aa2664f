package io.sparklstm;

import io.sparklstm.config.JobConfig;
import io.sparklstm.data.MinibatchStager;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.evaluate.QualityGate;
import io.sparklstm.store.Checkpoint;
import io.sparklstm.store.CheckpointStore;
import io.sparklstm.store.Provenance;
import io.sparklstm.store.RunLock;
import io.sparklstm.store.RunMetrics;
import io.sparklstm.store.RunStore;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.EpochStats;
import io.sparklstm.train.ExecutorTracker;
import io.sparklstm.train.JvmMemory;
import io.sparklstm.train.NativeThreads;
import io.sparklstm.train.TrainingSettings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the pipeline, stage after stage: validate the inputs, take the store's lock, stage minibatches, train
 * with parameter averaging (checkpointing every epoch, resuming from the newest checkpoint of the same run id),
 * evaluate the new and the promoted model on the same test set, publish the run, promote it if the quality gate
 * passes, apply retention. Every check on user input happens before anything is written, so bad input leaves the
 * output untouched.
 */
public final class TrainingJob {

    /** Test minibatch size: evaluation is forward-only, so larger batches amortise per-call overhead. */
    static final int EVAL_BATCH_SIZE = 256;

    /** A lock whose heartbeat is older than this is considered abandoned (see {@link RunLock}). */
    static final Duration LOCK_LEASE = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    private final JobConfig config;
    private final JavaSparkContext sc;

    public TrainingJob(JobConfig config, JavaSparkContext sc) {
        this.config = config;
        this.sc = sc;
    }

    /**
     * The published run.
     *
     * @param runDir   where it is
     * @param metrics  its metrics, including the gate's decision
     * @param promoted whether it became CURRENT
     */
    public record Result(Path runDir, RunMetrics metrics, boolean promoted) {}

    public Result run() throws IOException {
        String started = Instant.now().toString();
        NativeThreads.limitOnce(NativeThreads.taskCpus(sc));
        MnistInputs inputs = MnistInputs.inspect(config.data(), sc.hadoopConfiguration());
        RunStore store = RunStore.at(config.output(), sc.hadoopConfiguration());
        store.checkWritable(config.runId(), config.overwrite());
        WarmStart warmStart = WarmStart.resolve(config, store, sc.hadoopConfiguration());
        TrainingSettings settings = TrainingSettings.from(config, sc.defaultParallelism());
        log.info(
                "Run {}: data {} ({} train, {} test examples available), store {}",
                config.runId(),
                inputs.directory(),
                inputs.train().count(),
                inputs.test().count(),
                store.root());

        try (RunLock lock = store.lock(config.runId(), sc.sc().applicationId(), LOCK_LEASE)) {
            store.checkWritable(config.runId(), config.overwrite()); // a run may have finished while we waited
            Result result = runLocked(inputs, store, settings, warmStart, started);
            store.discardWork(config.runId());
            store.prune(config.keepRuns());
            return result;
        }
    }

    private Result runLocked(
            MnistInputs inputs, RunStore store, TrainingSettings settings, WarmStart warmStart, String started)
            throws IOException {
        Path work = store.workDir(config.runId());
        MinibatchStager stager = new MinibatchStager(sc, store.fileSystem());
        StagedSplit train =
                stager.stage(inputs.train(), config.trainLimit(), config.batchSize(), new Path(work, "train"));
        StagedSplit test = stager.stage(inputs.test(), config.testLimit(), EVAL_BATCH_SIZE, new Path(work, "test"));

        Map<String, Object> resumeSettings = resumeSettings(inputs, settings);
        CheckpointStore checkpoints = store.checkpoints(config.runId());
        Optional<Checkpoint> checkpoint = checkpoints.latest(resumeSettings);
        checkpoint.ifPresent(c -> log.info(
                "Resuming run {} from checkpoint {}/epoch-{} (epoch {} of {} done)",
                config.runId(),
                checkpoints.directory(),
                String.format("%04d", c.epoch()),
                c.epoch(),
                config.epochs()));
        MultiLayerNetwork network =
                checkpoint.map(Checkpoint::network).orElseGet(() -> warmStart.network(WarmStart.seedOf(config)));
        List<EpochStats> epochs =
                new ArrayList<>(checkpoint.map(Checkpoint::epochs).orElse(List.of()));

        ExecutorTracker executors = new ExecutorTracker(DistributedTrainer.JOB_GROUP);
        sc.sc().addSparkListener(executors);
        DistributedTrainer trainer;
        DistributedEvaluator evaluator = new DistributedEvaluator(sc);
        ClassificationReport report = null; // of the current parameters, when an epoch's evaluation measured them
        try {
            trainer = new DistributedTrainer(sc, network, settings);
            log.info(
                    "Training {} parameters on {} examples: {} workers x batch {}, averaging every {} batches",
                    network.numParams(),
                    train.examples(),
                    settings.workers(),
                    settings.batchSize(),
                    settings.averagingFrequency());
            for (int epoch = epochs.size() + 1; epoch <= config.epochs(); epoch++) {
                EpochStats stats = trainer.fitEpoch(epoch, train);
                report = null;
                if (config.evaluateEachEpoch()) {
                    long evaluationStart = System.nanoTime();
                    report = evaluator.evaluate(trainer.network(), test);
                    stats = stats.withTestAccuracy(report.accuracy(), (System.nanoTime() - evaluationStart) / 1e9);
                }
                epochs.add(stats);
                logEpoch(stats);
                checkpoints.save(epoch, trainer.network(), resumeSettings, epochs);
            }
        } finally {
            sc.sc().removeSparkListener(executors);
        }

        if (report == null) {
            report = evaluator.evaluate(trainer.network(), test);
        }
        log.info(String.format(
                "Test accuracy %.4f, macro F1 %.4f on %d examples",
                report.accuracy(), report.macroF1(), report.examples()));
        QualityGate.Decision gate = judge(store, evaluator, test, report.accuracy());
        RunMetrics metrics = RunMetrics.of(
                config.runId(), report, train.examples(), epochs, settings.workers(), executors.executors(), gate);
        JobConfig effective = config.withWorkers(settings.workers());
        Provenance provenance = new Provenance(
                config.runId(),
                inputs.sha256ByFile(),
                effective,
                config.seed(),
                BuildInfo.versions(sc.version()),
                sc.master(),
                sc.sc().applicationId(),
                started,
                Instant.now().toString(),
                checkpoint.map(Checkpoint::epoch).orElse(null),
                warmStart.description(),
                epochs,
                null);
        Path published =
                store.publish(config.runId(), trainer.network(), metrics, effective, provenance, config.overwrite());
        log.info("Published run {}", published);
        if (gate.promote()) {
            store.promote(config.runId());
        } else {
            log.warn("Run {} is kept but NOT promoted: {}", config.runId(), gate.reason());
        }
        return new Result(published, metrics, gate.promote());
    }

    /** One line per epoch: progress, speed, accuracy when measured, and the driver's memory (creep shows here). */
    private void logEpoch(EpochStats stats) {
        log.info(String.format(
                Locale.ROOT,
                "Epoch %d/%d: loss %.4f, %.1f s, %.0f samples/s%s; driver %s",
                stats.epoch(),
                config.epochs(),
                stats.loss(),
                stats.seconds(),
                stats.samplesPerSecond(),
                stats.testAccuracy() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", test accuracy %.4f (%.1f s)",
                                stats.testAccuracy(),
                                stats.evalSeconds()),
                JvmMemory.now()));
    }

    /** Evaluates the promoted model on this run's test set and applies the gate. */
    private QualityGate.Decision judge(
            RunStore store, DistributedEvaluator evaluator, StagedSplit test, double accuracy) throws IOException {
        QualityGate gate = new QualityGate(config.minAccuracy(), config.maxRegression());
        Optional<String> current = store.current().filter(id -> !id.equals(config.runId()));
        if (current.isEmpty()) {
            return gate.decide(accuracy, null, Double.NaN);
        }
        try {
            double baseline =
                    evaluator.evaluate(store.loadModel(current.get()), test).accuracy();
            log.info(String.format("Current model %s: accuracy %.4f on the same test set", current.get(), baseline));
            return gate.decide(accuracy, current.get(), baseline);
        } catch (IOException | BadInputException e) {
            log.warn(
                    "Current model {} cannot be loaded ({}); judging the new model on --min-accuracy alone",
                    current.get(),
                    e.getMessage());
            return gate.decide(accuracy, null, Double.NaN);
        }
    }

    /** Everything that shapes the trained weights: a checkpoint made with other values must not be resumed. */
    private Map<String, Object> resumeSettings(MnistInputs inputs, TrainingSettings settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("inputSha256", inputs.sha256ByFile().values());
        values.put("trainLimit", config.trainLimit());
        values.put("batchSize", settings.batchSize());
        values.put("averagingFrequency", settings.averagingFrequency());
        values.put("workers", settings.workers());
        values.put("seed", config.seed());
        values.put("learningRate", config.learningRate());
        values.put("lrDecay", config.lrDecay());
        values.put("dropout", config.dropout());
        values.put("augmentShift", config.augmentShift());
        values.put("lstmUnits", config.lstmUnits());
        values.put("lstmImpl", config.lstmImpl().name());
        values.put("initFrom", config.initFrom());
        return values;
    }
}
