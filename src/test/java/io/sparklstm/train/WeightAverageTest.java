package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WeightAverageTest {

    @Test
    void decaysByTheRoundsShareOfAnEpoch() {
        WeightAverage average = new WeightAverage(0.2, null);
        average.update(Nd4j.valueArrayOf(new long[] {1, 3}, 1.0, DataType.FLOAT), 2_560, 60_000);
        assertEquals(1.0, average.average().getDouble(0), 1e-7, "starts at the first round's weights");

        average.update(Nd4j.valueArrayOf(new long[] {1, 3}, 2.0, DataType.FLOAT), 2_560, 60_000);
        double keep = Math.exp(-2_560 / (0.2 * 60_000)); // 0.81 with 2 workers x 20 batches of 64
        assertEquals(keep + 2 * (1 - keep), average.average().getDouble(2), 1e-6);

        WeightAverage oneWorker = new WeightAverage(0.2, null);
        oneWorker.update(Nd4j.zeros(DataType.FLOAT, 1, 3), 1_280, 60_000);
        oneWorker.update(Nd4j.ones(DataType.FLOAT, 1, 3), 1_280, 60_000);
        assertEquals(
                1 - Math.exp(-1_280 / 12_000.0), oneWorker.average().getDouble(0), 1e-6, "half the round, less weight");
    }

    @Test
    void resumesFromTheSavedAverageAndIsNullWhenOff() {
        INDArray saved = Nd4j.valueArrayOf(new long[] {1, 3}, 4.0, DataType.FLOAT);
        WeightAverage resumed = new WeightAverage(0.2, saved);
        saved.addi(1); // the caller's array may change: the average keeps its own copy
        resumed.update(Nd4j.zeros(DataType.FLOAT, 1, 3), 6_000, 60_000);
        assertEquals(4.0 * Math.exp(-0.5), resumed.average().getDouble(1), 1e-6);

        WeightAverage off = new WeightAverage(0, saved);
        off.update(Nd4j.ones(DataType.FLOAT, 1, 3), 1_280, 60_000);
        assertFalse(off.enabled());
        assertNull(off.average());
    }
}
