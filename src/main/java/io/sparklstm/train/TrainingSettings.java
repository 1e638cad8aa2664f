package io.sparklstm.train;

import io.sparklstm.config.GemmMode;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.data.RandomShift;

/**
 * The part of the configuration that shapes distributed training.
 *
 * @param workers            data-parallel workers (Spark partitions per averaging round)
 * @param batchSize          minibatch size of each worker
 * @param averagingFrequency minibatches each worker fits between averagings
 * @param prefetchBatches    minibatches a worker loads ahead (0: no prefetch thread)
 * @param seed               seed of the per-epoch shuffle (and of the augmentation)
 * @param augmentShift       largest random shift of training images in pixels, 0 = none ({@link RandomShift})
 * @param gemm               how FastLSTM computes its products on every worker ({@code --gemm})
 * @param learningRate       the learning-rate schedule
 * @param emaEpochs          time constant of the published weights' moving average in epochs, 0 = off
 *                           ({@link WeightAverage})
 */
public record TrainingSettings(
        int workers,
        int batchSize,
        int averagingFrequency,
        int prefetchBatches,
        long seed,
        int augmentShift,
        GemmMode gemm,
        LearningRate learningRate,
        double emaEpochs) {

    /** Settings from the job's configuration; {@code --workers 0} there resolves to {@code defaultParallelism}. */
    public static TrainingSettings from(JobConfig config, int defaultParallelism) {
        int workers = config.get(JobParams.WORKERS);
        return new TrainingSettings(
                workers > 0 ? workers : defaultParallelism,
                config.get(JobParams.BATCH_SIZE),
                config.get(JobParams.AVERAGING_FREQUENCY),
                config.get(JobParams.PREFETCH_BATCHES),
                config.get(JobParams.SEED),
                config.get(JobParams.AUGMENT_SHIFT),
                config.get(JobParams.GEMM),
                LearningRate.from(config),
                config.get(JobParams.EMA_EPOCHS));
    }
}
