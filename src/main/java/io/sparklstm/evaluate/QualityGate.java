package io.sparklstm.evaluate;

/**
 * Decides whether a new model may replace the promoted one: its test accuracy must reach {@code minAccuracy} and
 * may fall at most {@code maxRegression} below the promoted model's accuracy on the same test set, measured in the
 * same run (so a changed test set cannot fake a regression or an improvement).
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
     * @param currentRunId    the promoted run compared against, or null
     * @param currentAccuracy its accuracy on this run's test set, or null
     * @param minAccuracy     the threshold applied
     * @param maxRegression   the threshold applied
     */
    public record Decision(
            boolean promote,
            String reason,
            double accuracy,
            String currentRunId,
            Double currentAccuracy,
            double minAccuracy,
            double maxRegression) {}

    /** @param currentRunId null when nothing is promoted yet; then {@code currentAccuracy} is ignored */
    public Decision decide(double accuracy, String currentRunId, double currentAccuracy) {
        Double baseline = currentRunId == null ? null : currentAccuracy;
        String reason;
        boolean promote;
        if (accuracy < minAccuracy) {
            promote = false;
            reason = String.format("accuracy %.4f is below --min-accuracy %.4f", accuracy, minAccuracy);
        } else if (baseline != null && baseline - accuracy > maxRegression) {
            promote = false;
            reason = String.format(
                    "accuracy %.4f is %.4f below the current model %s (%.4f), more than " + "--max-regression %.4f",
                    accuracy, baseline - accuracy, currentRunId, baseline, maxRegression);
        } else {
            promote = true;
            reason = baseline == null
                    ? String.format("accuracy %.4f >= %.4f and no model was promoted yet", accuracy, minAccuracy)
                    : String.format(
                            "accuracy %.4f >= %.4f and within %.4f of the current model %s (%.4f)",
                            accuracy, minAccuracy, maxRegression, currentRunId, baseline);
        }
        return new Decision(promote, reason, accuracy, currentRunId, baseline, minAccuracy, maxRegression);
    }
}
