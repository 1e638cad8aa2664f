package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparklstm.TestSpark;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LocalResults} in the driver's JVM (a local Spark context is running): a result goes over as a key to a copy,
 * is taken once, and a round's close leaves nothing behind, not even from a task that ends after it.
 */
class LocalResultsTest {

    @BeforeAll
    static void driverJvm() {
        TestSpark.context(); // SparkEnv of the driver, whose executor id local tasks share
    }

    private static ParameterAveragingTrainingResult result(float value) {
        return new ParameterAveragingTrainingResult(
                Nd4j.createFromArray(value, value), Nd4j.createFromArray(value), value, null, null, null);
    }

    @Test
    void aResultGoesOverAsAKeyToACopyAndIsTakenOnce() {
        long round = LocalResults.open();
        ParameterAveragingTrainingResult original = result(3f);
        Object returned = LocalResults.deposit(round, original);
        assertInstanceOf(Long.class, returned);

        ParameterAveragingTrainingResult taken = LocalResults.take(returned);
        assertNotSame(original.getParameters(), taken.getParameters(), "a copy, not the worker's live arrays");
        assertEquals(original.getParameters(), taken.getParameters());
        assertEquals(original.getUpdaterState(), taken.getUpdaterState());
        assertEquals(3.0, taken.getScore());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> LocalResults.take(returned));
        assertEquals(true, twice.getMessage().contains("taken twice"), twice.getMessage());
        LocalResults.close(round);
    }

    @Test
    void closingARoundDropsWhatNobodyTookAndRefusesLateResults() {
        int waiting = LocalResults.waiting();
        long round = LocalResults.open();
        LocalResults.deposit(round, result(1f));
        assertEquals(waiting + 1, LocalResults.waiting());
        LocalResults.close(round);
        assertEquals(waiting, LocalResults.waiting(), "the untaken result is dropped");

        assertNull(LocalResults.deposit(round, result(2f)), "a task that ends after its round failed");
        assertEquals(waiting, LocalResults.waiting());
    }

    @Test
    void resultsWithoutParametersAndSerialisedOnesPassAsTheyAre() {
        ParameterAveragingTrainingResult idle = new ParameterAveragingTrainingResult(null, null, 0, null, null, null);
        assertSame(idle, LocalResults.deposit(-103, idle));
        ParameterAveragingTrainingResult serialised = result(5f);
        assertSame(serialised, LocalResults.take(serialised));
    }
}
