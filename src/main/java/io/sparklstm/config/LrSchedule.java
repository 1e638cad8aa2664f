package io.sparklstm.config;

/** How the learning rate moves during training ({@code --lr-schedule}); see {@code io.sparklstm.train.LearningRate}. */
public enum LrSchedule {
    /** {@code --learning-rate}, multiplied by {@code --lr-decay} after every epoch. */
    EXPONENTIAL,
    /**
     * A linear warm-up from a tenth of {@code --learning-rate} to all of it over {@code --warmup-epochs}, then a
     * cosine decay to a hundredth of it at the end of the last epoch (one-cycle style): large steps early, small ones
     * to settle at the end. {@code --lr-decay} is not used.
     */
    COSINE
}
