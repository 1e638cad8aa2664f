package io.sparklstm.job;

import io.sparklstm.common.EpochStats;
import io.sparklstm.config.JobParams;
import io.sparklstm.config.ProgressDisplay;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.observe.LiveMetrics;
import io.sparklstm.observe.TrainingProgress;
import io.sparklstm.store.Checkpoint;
import io.sparklstm.store.CheckpointStore;
import io.sparklstm.store.RunLock;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.ExecutorTracker;
import io.sparklstm.train.JvmMemory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage: parameter-averaging training, epoch after epoch, from the newest compatible checkpoint of this run id, or
 * else from the warm-start source or random weights. A checkpoint is saved after every epoch.
 */
final class Train {

    private static final Logger log = LoggerFactory.getLogger(Train.class);

    private final JavaSparkContext sc;

    Train(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** @param lock the store's lock: checked before every checkpoint, so a run that lost it writes none */
    Trained run(RunPlan plan, StagedData data, RunLock lock) throws IOException {
        int totalEpochs = plan.config().get(JobParams.EPOCHS);
        CheckpointStore checkpoints = plan.store().checkpoints(plan.runId());
        Optional<Checkpoint> checkpoint = checkpoints.latest(plan.fingerprint());
        checkpoint.ifPresent(c -> log.info(
                "Resuming run {} from checkpoint {}/epoch-{} (epoch {} of {} done)",
                plan.runId(),
                checkpoints.directory(),
                String.format("%04d", c.epoch()),
                c.epoch(),
                totalEpochs));
        MultiLayerNetwork network = checkpoint.map(Checkpoint::network).orElseGet(() -> plan.warmStart()
                .network(SeedNetwork.from(plan.config())));
        List<EpochStats> epochs =
                new ArrayList<>(checkpoint.map(Checkpoint::epochs).orElse(List.of()));

        ExecutorTracker executors = new ExecutorTracker(DistributedTrainer.JOB_GROUP);
        DistributedEvaluator evaluator = new DistributedEvaluator(sc);
        ClassificationReport report = null; // of the current parameters, when an epoch's evaluation measured them
        sc.sc().addSparkListener(executors);
        try {
            DistributedTrainer trainer = new DistributedTrainer(
                    sc,
                    network,
                    plan.settings(),
                    checkpoint.map(Checkpoint::weightAverage).orElse(null));
            log.info(
                    "Training {} parameters on {} examples: {} workers x batch {}, averaging every {} batches",
                    network.numParams(),
                    data.train().examples(),
                    plan.settings().workers(),
                    plan.settings().batchSize(),
                    plan.settings().averagingFrequency());
            try (TrainingProgress progress =
                    progress(plan, epochs.size() + 1, data.train().examples())) {
                for (int epoch = epochs.size() + 1; epoch <= totalEpochs; epoch++) {
                    progress.epochStarted(epoch);
                    EpochStats stats = trainer.fitEpoch(epoch, totalEpochs, data.train(), progress::roundFinished);
                    report = null;
                    if (plan.config().get(JobParams.EVALUATE_EACH_EPOCH)) {
                        long evaluationStart = System.nanoTime();
                        report = evaluator.evaluate(
                                trainer.publishable(),
                                data.test(),
                                "run " + plan.runId() + " after epoch " + epoch + "/" + totalEpochs);
                        LiveMetrics.get().testAccuracy(report.accuracy());
                        stats = stats.withTestAccuracy(report.accuracy(), (System.nanoTime() - evaluationStart) / 1e9);
                    }
                    epochs.add(stats);
                    logEpoch(stats, totalEpochs);
                    lock.verifyHeld();
                    checkpoints.save(epoch, trainer.network(), trainer.averagedNetwork(), plan.fingerprint(), epochs);
                    progress.epochFinished(epoch);
                }
            }
            return new Trained(
                    trainer.publishable(),
                    List.copyOf(epochs),
                    executors.executors(),
                    executors.lostExecutors(),
                    executors.failedTaskAttempts(),
                    checkpoint.map(Checkpoint::epoch).orElse(null),
                    report);
        } finally {
            sc.sc().removeSparkListener(executors);
        }
    }

    private static TrainingProgress progress(RunPlan plan, int firstEpoch, long examples) {
        ProgressDisplay display = plan.config().get(JobParams.PROGRESS);
        return new TrainingProgress(
                firstEpoch,
                plan.config().get(JobParams.EPOCHS),
                examples,
                Duration.ofSeconds(plan.config().get(JobParams.PROGRESS_INTERVAL)),
                display == ProgressDisplay.AUTO
                        ? TrainingProgress.Mode.auto()
                        : display == ProgressDisplay.BAR ? TrainingProgress.Mode.BAR : TrainingProgress.Mode.LOG,
                System::nanoTime,
                TrainingProgress.LOG_LINES);
    }

    /** One line per epoch: progress, speed, accuracy when measured, and the driver's memory (creep shows here). */
    private static void logEpoch(EpochStats stats, int totalEpochs) {
        log.info(String.format(
                Locale.ROOT,
                "Epoch %d/%d: loss %.4f, %.1f s, %.0f samples/s%s; driver %s",
                stats.epoch(),
                totalEpochs,
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
}
