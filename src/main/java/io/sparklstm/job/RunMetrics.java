package io.sparklstm.job;

import io.sparklstm.common.EpochStats;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.QualityGate;
import java.util.List;
import java.util.SortedSet;
import java.util.stream.IntStream;

/**
 * The content of a run's {@code metrics.json}.
 *
 * @param runId             the run
 * @param accuracy          test accuracy
 * @param macroF1           unweighted mean of the per-class F1 scores
 * @param precision         per-class precision, index = class
 * @param recall            per-class recall
 * @param f1                per-class F1
 * @param confusionMatrix   counts, row = actual class, column = predicted class
 * @param trainExamples     training examples used
 * @param testExamples      test examples evaluated
 * @param epochs            per-epoch loss and timing
 * @param trainingSeconds   wall time of all epochs
 * @param workers           data-parallel workers
 * @param trainingExecutors Spark executor ids that ran training tasks
 * @param executorsLost     executors lost while this attempt trained
 * @param taskRetries       training task attempts that failed and were retried
 * @param gate              the quality gate's decision on promoting this run
 */
public record RunMetrics(
        String runId,
        double accuracy,
        double macroF1,
        double[] precision,
        double[] recall,
        double[] f1,
        long[][] confusionMatrix,
        int trainExamples,
        long testExamples,
        List<EpochStats> epochs,
        double trainingSeconds,
        int workers,
        SortedSet<String> trainingExecutors,
        int executorsLost,
        int taskRetries,
        QualityGate.Decision gate) {

    public static RunMetrics of(
            String runId,
            ClassificationReport report,
            int trainExamples,
            List<EpochStats> epochs,
            int workers,
            SortedSet<String> trainingExecutors,
            int executorsLost,
            int taskRetries,
            QualityGate.Decision gate) {
        int classes = report.classes();
        return new RunMetrics(
                runId,
                report.accuracy(),
                report.macroF1(),
                IntStream.range(0, classes).mapToDouble(report::precision).toArray(),
                IntStream.range(0, classes).mapToDouble(report::recall).toArray(),
                IntStream.range(0, classes).mapToDouble(report::f1).toArray(),
                report.confusionMatrix(),
                trainExamples,
                report.examples(),
                List.copyOf(epochs),
                epochs.stream().mapToDouble(EpochStats::seconds).sum(),
                workers,
                trainingExecutors,
                executorsLost,
                taskRetries,
                gate);
    }
}
