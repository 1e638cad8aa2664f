package io.sparklstm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.common.BadInputException;
import io.sparklstm.train.EpochPlan;
import io.sparklstm.train.TrainingSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every declared bound holds in both directions, messages name the option and the source, nothing overflows. */
class JobParamsTest {

    @Test
    void integerBoundsAcceptTheirEndsAndRefuseOneBeyond() {
        for (Param<?> param : JobParams.ALL) {
            if (param.type() != Integer.class) {
                continue;
            }
            String[] range = param.expected().replace("an integer from ", "").split(" to ");
            long min = Long.parseLong(range[0]);
            long max = Long.parseLong(range[1]);
            assertEquals((int) min, param.parse(Long.toString(min), null), param.name());
            assertEquals((int) max, param.parse(Long.toString(max), null), param.name());
            for (long outside : new long[] {min - 1, max + 1}) {
                BadInputException e = assertThrows(
                        BadInputException.class, () -> param.parse(Long.toString(outside), null), param.name());
                assertTrue(
                        e.getMessage().startsWith("option " + param.option() + ": got '" + outside + "'"),
                        e.getMessage());
                assertTrue(e.getMessage().contains(param.expected()), e.getMessage());
            }
        }
    }

    @Test
    void numbersRefuseNonFiniteValuesAndValuesOutsideTheirRange() {
        for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "0", "-0.1", "10.5", "x"}) {
            assertThrows(BadInputException.class, () -> JobParams.LEARNING_RATE.parse(bad, null), bad);
        }
        assertEquals(10.0, JobParams.LEARNING_RATE.parse("10", null));
        assertThrows(BadInputException.class, () -> JobParams.DROPOUT.parse("0.96", null));
        assertThrows(BadInputException.class, () -> JobParams.LR_DECAY.parse("0", null));
        assertEquals(1.0, JobParams.LR_DECAY.parse("1", null));
    }

    @Test
    void aValueFromAFileIsReportedWithTheOptionAndTheFile() {
        BadInputException e = assertThrows(
                BadInputException.class, () -> JobConfig.builder().setText("epochs", "three", "/etc/job.properties"));
        assertEquals(
                "option --epochs (key 'epochs' in /etc/job.properties): got 'three', expected an integer from 1 to"
                        + " 1000",
                e.getMessage());
        BadInputException unknown = assertThrows(
                BadInputException.class, () -> JobConfig.builder().setText("epoch", "3", "/etc/job.properties"));
        assertTrue(unknown.getMessage().startsWith("/etc/job.properties: unknown key 'epoch'"), unknown.getMessage());
        BadInputException cliOnly = assertThrows(BadInputException.class, () -> JobConfig.builder()
                .setText("config", "other.properties", "/etc/job.properties"));
        assertTrue(cliOnly.getMessage().contains("unknown key 'config'"), cliOnly.getMessage());
    }

    @Test
    void runIdsCannotLeaveTheRunsDirectory() {
        for (String bad : new String[] {"../x", "a/b", ".hidden", "a..b", "", " ", "x".repeat(129)}) {
            assertThrows(BadInputException.class, () -> JobParams.RUN_ID.parse(bad, null), bad);
        }
        assertEquals("2026-12-02", JobParams.RUN_ID.parse("2026-12-02", null));
    }

    @Test
    void typedValuesSetInCodeAreCheckedLikeText() {
        assertThrows(BadInputException.class, () -> JobConfig.builder().set(JobParams.BATCH_SIZE, 0));
        assertThrows(BadInputException.class, () -> JobConfig.builder().build()); // no run id
    }

    @Test
    void examplesPerRoundMustFitAnIntAndTheLargestThatDoesPlansAnEpoch() {
        BadInputException e = assertThrows(BadInputException.class, () -> JobConfig.builder()
                .setText("run-id", "max", null)
                .setText("workers", "4096", null)
                .setText("averaging-frequency", "10000", null)
                .setText("batch-size", "8192", null)
                .build());
        assertTrue(
                e.getMessage().contains("--averaging-frequency")
                        && e.getMessage().contains("2147483647"),
                e.getMessage());

        JobConfig max = JobConfig.builder()
                .setText("run-id", "max", null)
                .setText("workers", "4096", null)
                .setText("averaging-frequency", "10000", null)
                .setText("batch-size", "52", null)
                .setText("train-limit", "1000000000", null)
                .build();
        TrainingSettings settings = TrainingSettings.from(max, 2);
        List<String> batches = IntStream.range(0, 50_000).mapToObj(i -> "b" + i).toList();
        EpochPlan plan =
                EpochPlan.of(batches, settings.workers(), settings.averagingFrequency(), settings.seed(), 1000);
        assertEquals(1, plan.rounds().size());
        List<String> sorted = new ArrayList<>(plan.order());
        Collections.sort(sorted);
        assertEquals(batches.stream().sorted().toList(), sorted);
    }
}
