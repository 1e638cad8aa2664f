package io.sparklstm.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of the parameters after each averaging round (Polyak averaging), the weights the job
 * evaluates and publishes. Training itself continues from the latest parameters; the average only smooths out the
 * noise of the last rounds' steps, which at Adam's early, large learning rates costs test accuracy.
 *
 * <p>The time constant is given in epochs, so that the smoothing does not depend on the cluster's size: a round of
 * {@code r} examples in an epoch of {@code E} decays the average by {@code exp(-r / (tau * E))} (with
 * {@code tau = 0.2}: 0.81 per round with 2 workers, 0.90 with 1). Measured on full MNIST, 2 cores, the job's
 * defaults, against the last round's weights of the same run: test accuracy 97.90 / 98.70 / 99.02 / 99.15 % after
 * epochs 1-4 against 97.22 / 98.56 / 98.91 / 98.98 %.</p>
 *
 * <p>Cost: one copy of the parameters on the driver (345k floats) and a multiply-add per round.</p>
 */
public final class WeightAverage {

    private final double tauEpochs;
    private INDArray average;

    /**
     * @param tauEpochs time constant in epochs, 0 = off ({@link #average} is then always null)
     * @param resumed   the average saved with a checkpoint, or null to start from the first round's parameters
     */
    public WeightAverage(double tauEpochs, INDArray resumed) {
        this.tauEpochs = tauEpochs;
        this.average = tauEpochs > 0 && resumed != null ? resumed.dup() : null;
    }

    public boolean enabled() {
        return tauEpochs > 0;
    }

    /** Folds in the parameters after a round of {@code roundExamples} of an epoch of {@code epochExamples}. */
    public void update(INDArray params, long roundExamples, long epochExamples) {
        if (!enabled()) {
            return;
        }
        if (average == null) {
            average = params.dup();
            return;
        }
        double keep = Math.exp(-roundExamples / (tauEpochs * epochExamples));
        average.muli(keep).addi(params.mul(1 - keep));
    }

    /** The averaged parameters (not a copy), or null when off or before the first round. */
    public INDArray average() {
        return average;
    }
}
