package io.sparklstm.common;

/**
 * What one epoch cost and achieved.
 *
 * @param epoch            1-based epoch number
 * @param loss             mean training loss: the workers' minibatch loss at each averaging, averaged over the epoch
 * @param seconds          wall time of the epoch on the driver
 * @param samplesPerSecond training examples fitted per second of wall time, all workers together
 * @param rounds           parameter-averaging rounds in the epoch
 * @param testAccuracy     test accuracy after the epoch, when measured ({@code --evaluate-each-epoch}), else null
 * @param evalSeconds      wall time of that evaluation, else null
 */
public record EpochStats(
        int epoch,
        double loss,
        double seconds,
        double samplesPerSecond,
        int rounds,
        Double testAccuracy,
        Double evalSeconds) {

    /** These statistics with the test accuracy measured after the epoch, and how long measuring it took. */
    public EpochStats withTestAccuracy(double accuracy, double evaluationSeconds) {
        return new EpochStats(epoch, loss, seconds, samplesPerSecond, rounds, accuracy, evaluationSeconds);
    }
}
