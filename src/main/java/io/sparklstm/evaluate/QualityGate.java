package io.sparklstm.evaluate;

import java.util.Locale;

/**
 * Decides whether a new model may replace the promoted one. In order, a model is refused when:
 *
 * <ol>
 *   <li>it is no better than chance, whatever the options say: its test accuracy does not exceed the majority-class
 *       rate of the same test set (what always answering the most frequent class scores), or its training loss in the
 *       last epoch is not below ln(classes), the cross-entropy of a uniform guess (a run that diverged without
 *       reaching NaN, e.g. with a huge learning rate, stays above it);
 *   <li>its test accuracy is below {@code minAccuracy};
 *   <li>it falls more than {@code maxRegression} below the promoted model's accuracy on the same test set, measured in
 *       the same run (so a changed test set cannot fake a regression or an improvement).
 * </ol>
 *
 * @param minAccuracy   lowest acceptable accuracy
 * @param maxRegression largest acceptable drop against the promoted model
 */
public record QualityGate(double minAccuracy, double maxRegression) {

    /**
     * The outcome, written to {@code metrics.json} under {@code gate}.
     *
     * @param promote         whether the run becomes CURRENT
     * @param reason          why, in one sentence
     * @param accuracy        the new model's accuracy
     * @param chanceAccuracy  the majority-class rate of the test set
     * @param trainingLoss    the mean training loss of the last epoch
     * @param currentRunId    the promoted run compared against, or null
     * @param currentAccuracy its accuracy on this run's test set, or null
     * @param minAccuracy     the threshold applied
     * @param maxRegression   the threshold applied
     */
    public record Decision(
            boolean promote,
            String reason,
            double accuracy,
            double chanceAccuracy,
            double trainingLoss,
            String currentRunId,
            Double currentAccuracy,
            double minAccuracy,
            double maxRegression) {}

    /**
     * @param report       the new model's evaluation on the test set
     * @param trainingLoss mean training loss of its last epoch
     * @param currentRunId null when nothing is promoted yet; then {@code currentAccuracy} is ignored
     */
    public Decision decide(
            ClassificationReport report, double trainingLoss, String currentRunId, double currentAccuracy) {
        double accuracy = report.accuracy();
        double chance = report.majorityClassRate();
        double uniformLoss = Math.log(report.classes());
        Double baseline = currentRunId == null ? null : currentAccuracy;
        String reason;
        boolean promote = false;
        if (!(accuracy > chance)) {
            reason = format(
                    "accuracy %.4f is no better than chance: the majority class alone scores %.4f", accuracy, chance);
        } else if (!(trainingLoss < uniformLoss)) {
            reason = format(
                    "training loss %.4f in the last epoch is not below ln(%d) = %.4f, the loss of a uniform guess:"
                            + " training did not converge",
                    trainingLoss, report.classes(), uniformLoss);
        } else if (accuracy < minAccuracy) {
            reason = format("accuracy %.4f is below --min-accuracy %.4f", accuracy, minAccuracy);
        } else if (baseline != null && baseline - accuracy > maxRegression) {
            reason = format(
                    "accuracy %.4f is %.4f below the current model %s (%.4f), more than --max-regression %.4f",
                    accuracy, baseline - accuracy, currentRunId, baseline, maxRegression);
        } else {
            promote = true;
            reason = baseline == null
                    ? format("accuracy %.4f >= %.4f and no model was promoted yet", accuracy, minAccuracy)
                    : format(
                            "accuracy %.4f >= %.4f and within %.4f of the current model %s (%.4f)",
                            accuracy, minAccuracy, maxRegression, currentRunId, baseline);
        }
        return new Decision(
                promote, reason, accuracy, chance, trainingLoss, currentRunId, baseline, minAccuracy, maxRegression);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
