package io.sparklstm.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress lines on a simulated clock: how often, and what they say. */
class TrainingProgressTest {

    private long now;

    @Test
    void linesComeAtMostEveryIntervalAndAfterEveryRoundWhenRoundsAreLonger() {
        List<String> lines = new ArrayList<>();
        // 3 epochs of 1,000 examples, 10 rounds each; a round takes 2 s, lines every 5 s at most.
        TrainingProgress progress = new TrainingProgress(
                1, 3, 1000, Duration.ofSeconds(5), TrainingProgress.Mode.LOG, () -> now, lines::add);
        progress.epochStarted(1);
        for (int round = 1; round <= 10; round++) {
            now += 2_000_000_000L;
            progress.roundFinished(1, round, 10, round * 100L, 100, 2.0 / round);
        }
        assertEquals(3, lines.size(), lines.toString()); // at 6 s, 12 s, 18 s
        assertEquals(
                "Progress: epoch 1/3, round 3/10, 300/1000 examples, 50 samples/s, loss 0.6667, ETA epoch 0:14,"
                        + " run 0:54",
                lines.get(0));
        progress.epochFinished(1);

        // Rounds of 30 s with a 5 s interval: a line after every round. The run's ETA now uses epoch 1's 20 s.
        lines.clear();
        progress.epochStarted(2);
        now += 30_000_000_000L;
        progress.roundFinished(2, 1, 10, 100, 100, 0.5);
        now += 30_000_000_000L;
        progress.roundFinished(2, 2, 10, 200, 100, 0.4);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).endsWith("ETA epoch 4:00, run 4:20"), lines.get(1));
        assertEquals(2, LiveMetrics.get().epoch());
        assertEquals(2, LiveMetrics.get().round());
        assertEquals(0.4, LiveMetrics.get().loss());
        progress.close();
    }

    @Test
    void clockTimes() {
        assertEquals("0:00", TrainingProgress.clockTime(0));
        assertEquals("1:05", TrainingProgress.clockTime(65));
        assertEquals("1:01:01", TrainingProgress.clockTime(3661));
    }
}
