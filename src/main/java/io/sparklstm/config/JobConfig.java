package io.sparklstm.config;

import io.sparklstm.model.LstmImplementation;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * The effective configuration of one training run: immutable and validated when built, so every later stage can trust
 * it. Each check names the command-line option it belongs to, which is also the key in {@code conf/sparklstm.properties}
 * without the leading dashes.
 *
 * @param data               directory (any Hadoop FileSystem URI) holding the four MNIST-format IDX files
 * @param output             root of the model store (any Hadoop FileSystem URI)
 * @param runId              name of this run's directory under {@code <output>/runs/}
 * @param epochs             passes over the training set
 * @param batchSize          minibatch size of each worker
 * @param averagingFrequency minibatches each worker fits between two parameter averagings
 * @param workers            data-parallel workers; 0 means Spark's default parallelism
 * @param prefetchBatches    minibatches each worker loads ahead of the one it fits (0 disables the prefetch thread)
 * @param seed               seed of weight initialisation and of the per-epoch shuffle
 * @param learningRate       Adam's learning rate in the first epoch
 * @param lrDecay            factor applied to the learning rate after every epoch (1 = constant)
 * @param dropout            probability of dropping each input of LSTM layers 2 and 3 and of the dense layer in training
 * @param augmentShift       training images are moved by up to this many pixels along each axis, anew every epoch
 *                           (0 = no augmentation)
 * @param lstmUnits          units of each of the three LSTM layers
 * @param lstmImpl           LSTM layer implementation
 * @param trainLimit         use only the first N training examples; 0 means all
 * @param testLimit          use only the first N test examples; 0 means all
 * @param overwrite          replace an existing run directory of the same id
 * @param minAccuracy        quality gate: lowest test accuracy a run may have and still be promoted
 * @param maxRegression      quality gate: largest accuracy drop allowed against the promoted model
 * @param initFrom           warm start: {@code current}, a run id of the store, or a model.zip URI; null = random
 * @param keepRuns           retention: runs kept after a successful run (the promoted one always); 0 keeps all
 * @param evaluateEachEpoch  also measure test accuracy after every epoch (logged and in metrics.json)
 */
public record JobConfig(
        String data,
        String output,
        String runId,
        int epochs,
        int batchSize,
        int averagingFrequency,
        int workers,
        int prefetchBatches,
        long seed,
        double learningRate,
        double lrDecay,
        double dropout,
        int augmentShift,
        int lstmUnits,
        LstmImplementation lstmImpl,
        int trainLimit,
        int testLimit,
        boolean overwrite,
        double minAccuracy,
        double maxRegression,
        String initFrom,
        int keepRuns,
        boolean evaluateEachEpoch) {

    /** Run ids become directory names on any FileSystem: a conservative portable alphabet, no leading dot. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final DateTimeFormatter RUN_ID_CLOCK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    public JobConfig {
        requireText("--data", data);
        requireText("--output", output);
        if (runId == null || !RUN_ID.matcher(runId).matches() || runId.contains("..")) {
            throw new InvalidOptionException(
                    "--run-id",
                    runId,
                    "1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'");
        }
        requirePositive("--epochs", epochs);
        requirePositive("--batch-size", batchSize);
        requirePositive("--averaging-frequency", averagingFrequency);
        requireAtLeast("--workers", workers, 0, "an integer >= 1, or 0 for Spark's default parallelism");
        requireAtLeast("--prefetch-batches", prefetchBatches, 0, "an integer >= 0");
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidOptionException("--learning-rate", learningRate, "a finite number > 0");
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new InvalidOptionException("--lr-decay", lrDecay, "a factor in (0, 1]; 1 keeps the rate constant");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidOptionException("--dropout", dropout, "a probability in [0, 1); 0 disables dropout");
        }
        if (augmentShift < 0 || augmentShift > 8) {
            throw new InvalidOptionException("--augment-shift", augmentShift, "pixels between 0 (off) and 8");
        }
        requirePositive("--lstm-units", lstmUnits);
        if (lstmImpl == null) {
            throw new InvalidOptionException("--lstm-impl", null, "fast or stock");
        }
        requireAtLeast("--train-limit", trainLimit, 0, "an integer >= 1, or 0 for all training examples");
        requireAtLeast("--test-limit", testLimit, 0, "an integer >= 1, or 0 for all test examples");
        requireFraction("--min-accuracy", minAccuracy);
        requireFraction("--max-regression", maxRegression);
        if (initFrom != null && initFrom.isBlank()) {
            initFrom = null;
        }
        requireAtLeast("--keep-runs", keepRuns, 0, "an integer >= 1, or 0 to keep every run");
    }

    /** This configuration with {@code workers} resolved, e.g. from Spark's default parallelism. */
    public JobConfig withWorkers(int resolvedWorkers) {
        return new JobConfig(
                data,
                output,
                runId,
                epochs,
                batchSize,
                averagingFrequency,
                resolvedWorkers,
                prefetchBatches,
                seed,
                learningRate,
                lrDecay,
                dropout,
                augmentShift,
                lstmUnits,
                lstmImpl,
                trainLimit,
                testLimit,
                overwrite,
                minAccuracy,
                maxRegression,
                initFrom,
                keepRuns,
                evaluateEachEpoch);
    }

    /** A run id made from the current UTC time, e.g. {@code 20261129T020304Z}: sortable and unique per second. */
    public static String timestampRunId(Clock clock) {
        return RUN_ID_CLOCK.format(clock.instant().atOffset(ZoneOffset.UTC));
    }

    private static void requireFraction(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidOptionException(option, value, "a fraction between 0 and 1 (e.g. 0.97)");
        }
    }

    private static void requireText(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidOptionException(option, value, "a non-empty path or URI");
        }
    }

    private static void requirePositive(String option, int value) {
        requireAtLeast(option, value, 1, "an integer >= 1");
    }

    private static void requireAtLeast(String option, int value, int min, String expected) {
        if (value < min) {
            throw new InvalidOptionException(option, value, expected);
        }
    }
}
