package io.sparklstm.observe;

import com.codahale.metrics.Counter;

/**
 * The live figures of the run in this driver JVM, written by the stages as they go and read by the metrics plugin's
 * gauges and counters ({@link MetricsPlugin}). One per JVM: a driver runs one job at a time. Gauges that have no value
 * yet read NaN (Prometheus shows it as such).
 */
public final class LiveMetrics {

    private static final LiveMetrics INSTANCE = new LiveMetrics();

    private volatile int epoch;
    private volatile int epochs;
    private volatile int round;
    private volatile int rounds;
    private volatile double loss = Double.NaN;
    private volatile double samplesPerSecond = Double.NaN;
    private volatile double testAccuracy = Double.NaN;
    private final Counter examplesSeen = new Counter();
    private final Counter executorsLost = new Counter();
    private final Counter roundsCompleted = new Counter();

    private LiveMetrics() {}

    public static LiveMetrics get() {
        return INSTANCE;
    }

    /** A run starts training: {@code epochs} in all, none of this attempt done yet. */
    public void trainingStarted(int epochs) {
        this.epochs = epochs;
        this.round = 0;
        this.rounds = 0;
    }

    /** An averaging round ended. */
    public void roundFinished(int epoch, int round, int rounds, long examples, double loss, double samplesPerSecond) {
        this.epoch = epoch;
        this.round = round;
        this.rounds = rounds;
        this.loss = loss;
        this.samplesPerSecond = samplesPerSecond;
        examplesSeen.inc(examples);
        roundsCompleted.inc();
    }

    public void testAccuracy(double accuracy) {
        this.testAccuracy = accuracy;
    }

    public void executorLost() {
        executorsLost.inc();
    }

    public int epoch() {
        return epoch;
    }

    public int epochs() {
        return epochs;
    }

    public int round() {
        return round;
    }

    public int rounds() {
        return rounds;
    }

    public double loss() {
        return loss;
    }

    public double samplesPerSecond() {
        return samplesPerSecond;
    }

    public double testAccuracy() {
        return testAccuracy;
    }

    Counter examplesSeen() {
        return examplesSeen;
    }

    Counter executorsLost() {
        return executorsLost;
    }

    Counter roundsCompleted() {
        return roundsCompleted;
    }
}
