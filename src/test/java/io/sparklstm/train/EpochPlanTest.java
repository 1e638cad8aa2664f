package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochPlanTest {

    private static final List<String> BATCHES =
            IntStream.range(0, 23).mapToObj(i -> "b" + i).toList();

    @Test
    void cutsEachEpochIntoRoundsOfWorkersTimesFrequency() {
        EpochPlan plan = EpochPlan.of(BATCHES, 2, 5, 1, 1);
        assertEquals(List.of(10, 10, 3), plan.rounds().stream().map(List::size).toList());
        assertEquals(
                BATCHES.stream().sorted().toList(),
                plan.order().stream().sorted().toList());
    }

    @Test
    void shufflesDeterministicallyPerEpoch() {
        assertEquals(
                EpochPlan.of(BATCHES, 2, 5, 1, 1).order(),
                EpochPlan.of(BATCHES, 2, 5, 1, 1).order());
        assertNotEquals(
                EpochPlan.of(BATCHES, 2, 5, 1, 1).order(),
                EpochPlan.of(BATCHES, 2, 5, 1, 2).order());
        assertNotEquals(
                EpochPlan.of(BATCHES, 2, 5, 1, 1).order(),
                EpochPlan.of(BATCHES, 2, 5, 2, 1).order());
    }
}
