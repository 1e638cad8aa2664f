package io.sparklstm;

import io.sparklstm.config.JobConfig;
import io.sparklstm.data.MinibatchStager;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.store.RunMetrics;
import io.sparklstm.store.RunStore;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.EpochStats;
import io.sparklstm.train.ExecutorTracker;
import io.sparklstm.train.NativeThreads;
import io.sparklstm.train.TrainingSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the pipeline, stage after stage: validate the inputs, stage minibatches, train with parameter averaging,
 * evaluate on the test set, publish the model with its metrics. Every check on user input happens before anything is
 * written, so bad input leaves the output untouched.
 */
public final class TrainingJob {

    /** Test minibatch size: evaluation is forward-only, so larger batches amortise per-call overhead. */
    static final int EVAL_BATCH_SIZE = 256;

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    private final JobConfig config;
    private final JavaSparkContext sc;

    public TrainingJob(JobConfig config, JavaSparkContext sc) {
        this.config = config;
        this.sc = sc;
    }

    /** The published run. */
    public record Result(Path runDir, RunMetrics metrics) {
    }

    public Result run() throws IOException {
        NativeThreads.limitOnce(sc.getConf().getInt("spark.task.cpus", 1));
        MnistInputs inputs = MnistInputs.inspect(config.data(), sc.hadoopConfiguration());
        RunStore store = RunStore.at(config.output(), sc.hadoopConfiguration());
        store.checkWritable(config.runId(), config.overwrite());
        log.info("Run {}: data {} ({} train, {} test examples available), store {}", config.runId(),
                inputs.directory(), inputs.train().count(), inputs.test().count(), store.runDir(config.runId()));

        ExecutorTracker executors = new ExecutorTracker(DistributedTrainer.JOB_GROUP);
        sc.sc().addSparkListener(executors);
        try {
            Path work = store.workDir(config.runId());
            MinibatchStager stager = new MinibatchStager(sc, store.fileSystem());
            StagedSplit train = stager.stage(inputs.train(), config.trainLimit(), config.batchSize(),
                    new Path(work, "train"));
            StagedSplit test = stager.stage(inputs.test(), config.testLimit(), EVAL_BATCH_SIZE,
                    new Path(work, "test"));

            TrainingSettings settings = TrainingSettings.from(config, sc.defaultParallelism());
            MultiLayerNetwork network = new SeedNetwork(config.lstmUnits(), config.learningRate(), config.seed())
                    .newNetwork();
            DistributedTrainer trainer = new DistributedTrainer(sc, network, settings);
            log.info("Training {} parameters on {} examples: {} workers x batch {}, averaging every {} batches",
                    network.numParams(), train.examples(), settings.workers(), settings.batchSize(),
                    settings.averagingFrequency());
            List<EpochStats> epochs = new ArrayList<>();
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                EpochStats stats = trainer.fitEpoch(epoch, train);
                epochs.add(stats);
                log.info(String.format("Epoch %d/%d: loss %.4f, %.1f s, %.0f samples/s", epoch, config.epochs(),
                        stats.loss(), stats.seconds(), stats.samplesPerSecond()));
            }

            ClassificationReport report = new DistributedEvaluator(sc).evaluate(trainer.network(), test);
            log.info(String.format("Test accuracy %.4f, macro F1 %.4f on %d examples", report.accuracy(),
                    report.macroF1(), report.examples()));
            RunMetrics metrics = RunMetrics.of(config.runId(), report, train.examples(), epochs, settings.workers(),
                    executors.executors());
            JobConfig effective = config.withWorkers(settings.workers());
            Path published = store.publish(config.runId(), trainer.network(), metrics, effective, config.overwrite());
            log.info("Published run {}", published);
            return new Result(published, metrics);
        } finally {
            sc.sc().removeSparkListener(executors);
            store.discardWork(config.runId());
        }
    }
}
