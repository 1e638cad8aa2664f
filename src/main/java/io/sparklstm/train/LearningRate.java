package io.sparklstm.train;

import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.config.LrSchedule;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The learning-rate schedule of a run ({@code --lr-schedule}).
 *
 * <p>Where each schedule lives: the exponential one is DL4J's own {@code ExponentialSchedule} per epoch, inside the
 * network's updater (see {@code SeedNetwork}), because it only changes between epochs and DL4J's epoch counter is
 * kept per epoch by {@link DistributedTrainer}. The cosine schedule changes within an epoch, and DL4J's iteration
 * counter is of no use for that under parameter averaging (each worker counts only its own minibatches, from the
 * count it was sent), so the driver sets the rate itself before every averaging round, and the round's broadcast
 * carries it to the workers: with 40 minibatches per round that is about 12 steps per epoch on 2 workers.</p>
 *
 * @param schedule     the kind
 * @param peak         {@code --learning-rate}
 * @param decay        {@code --lr-decay} (exponential only)
 * @param warmupEpochs {@code --warmup-epochs} (cosine only)
 * @param epochs       {@code --epochs}: where the cosine reaches its floor
 */
public record LearningRate(LrSchedule schedule, double peak, double decay, double warmupEpochs, int epochs) {

    /** Warm-up starts at this fraction of the peak. */
    static final double WARMUP_START = 0.1;

    /** The cosine ends at this fraction of the peak. */
    static final double FLOOR = 0.01;

    public static LearningRate from(JobConfig config) {
        return new LearningRate(
                config.get(JobParams.LR_SCHEDULE),
                config.get(JobParams.LEARNING_RATE),
                config.get(JobParams.LR_DECAY),
                config.get(JobParams.WARMUP_EPOCHS),
                config.get(JobParams.EPOCHS));
    }

    /** Whether the driver sets the rate before every round (else the network's updater schedules it). */
    public boolean setByDriver() {
        return schedule == LrSchedule.COSINE;
    }

    /** The rate after {@code epochsDone} epochs of training (fractions within an epoch count). */
    public double at(double epochsDone) {
        if (schedule == LrSchedule.EXPONENTIAL) {
            return peak * Math.pow(decay, Math.floor(epochsDone));
        }
        if (epochsDone < warmupEpochs) {
            return peak * (WARMUP_START + (1 - WARMUP_START) * epochsDone / warmupEpochs);
        }
        double span = Math.max(1e-9, epochs - warmupEpochs);
        double progress = Math.min(1, (epochsDone - warmupEpochs) / span);
        return peak * (FLOOR + (1 - FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    /** Sets the rate of a driver-scheduled run on the driver's network, which the next round broadcasts. */
    void applyTo(MultiLayerNetwork network, double epochsDone) {
        if (setByDriver()) {
            network.setLearningRate(at(epochsDone));
        }
    }
}
