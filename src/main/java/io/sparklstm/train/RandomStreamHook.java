package io.sparklstm.train;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes training randomness (dropout masks) reproducible: before every minibatch a worker fits, it seeds its
 * thread's ND4J random generator from the run's seed, the epoch, the averaging round, the worker's partition and the
 * minibatch's position in it. dl4j-spark never seeds worker threads, so without this the masks would depend on
 * which pooled thread ran a task and what it did before.
 *
 * <p>The driver calls {@link #startRound} before submitting each round; Spark serialises the hook with the round's
 * tasks, so every task sees that round's numbers.</p>
 */
final class RandomStreamHook extends MinibatchHook {

    private static final long serialVersionUID = 1L;

    private final long seed;
    private int epoch;
    private int round;
    private transient int step;

    RandomStreamHook(long seed) {
        this.seed = seed;
    }

    /** Sets the numbers the next submitted round's tasks will use. */
    void startRound(int epoch, int round) {
        this.epoch = epoch;
        this.round = round;
    }

    /** The seed of one minibatch: a well-mixed function of all its coordinates. */
    static long minibatchSeed(long seed, int epoch, int round, int partition, int step) {
        long h = seed;
        for (long v : new long[] {epoch, round, partition, step}) {
            h = mix(h * 0x9E3779B97F4A7C15L + v);
        }
        return h;
    }

    @Override
    void beforeMinibatch() {
        seedThisThread();
    }

    private void seedThisThread() {
        TaskContext task = TaskContext.get();
        int partition = task == null ? 0 : task.partitionId();
        Nd4j.getRandom().setSeed(minibatchSeed(seed, epoch, round, partition, step++));
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
