package io.sparklstm.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which minibatch files each worker fits in each averaging round of one epoch. The files are shuffled with a seed
 * derived from the run's seed and the epoch number, then cut into rounds of {@code workers x averagingFrequency}
 * files; round {@code r} gives worker {@code w} the {@code averagingFrequency} consecutive files starting at
 * {@code w x averagingFrequency}. The plan is a pure function of its inputs: a rerun, a resumed run and the
 * single-machine parity test all see the same batches in the same order.
 */
public final class EpochPlan {

    private final List<List<String>> rounds;

    private EpochPlan(List<List<String>> rounds) {
        this.rounds = rounds;
    }

    public static EpochPlan of(List<String> batchPaths, int workers, int averagingFrequency, long seed, int epoch) {
        List<String> order = new ArrayList<>(batchPaths);
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        int perRound = Math.multiplyExact(workers, averagingFrequency);
        List<List<String>> rounds = new ArrayList<>();
        for (int start = 0; start < order.size(); start += perRound) {
            rounds.add(List.copyOf(order.subList(start, Math.min(order.size(), start + perRound))));
        }
        return new EpochPlan(List.copyOf(rounds));
    }

    /**
     * The rounds, each a list of files. Spark's {@code parallelize(round, workers)} cuts a list into {@code workers}
     * contiguous slices, which for a full round are exactly the per-worker runs of {@code averagingFrequency} files.
     */
    public List<List<String>> rounds() {
        return rounds;
    }

    /** All files of the epoch in the order they are fitted. */
    public List<String> order() {
        return rounds.stream().flatMap(List::stream).toList();
    }
}
