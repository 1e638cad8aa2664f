package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** The mapping from IDX bytes to the network's input: row t is time step t, pixels scaled to [0, 1]. */
class MinibatchesTest {

    @Test
    void rowIsTimeStepAndFullIntensityIsOne() {
        byte[] pixels = new byte[2 * IdxHeader.PIXELS];
        int row = 3;
        int column = 5;
        pixels[IdxHeader.PIXELS + row * 28 + column] = (byte) 255; // second image
        pixels[IdxHeader.PIXELS + 27 * 28] = (byte) 51; // second image, last row, first column

        DataSet batch = Minibatches.of(pixels, new byte[] {7, 2}, 0, 2);

        assertArrayEquals(new long[] {2, 28, 28}, batch.getFeatures().shape());
        assertEquals(1.0f, batch.getFeatures().getFloat(1, column, row));
        assertEquals(0.2f, batch.getFeatures().getFloat(1, 0, 27), 1e-7);
        assertEquals(0.0f, batch.getFeatures().getFloat(0, column, row));
        assertEquals(1.2, batch.getFeatures().sumNumber().doubleValue(), 1e-5);
        assertArrayEquals(
                new float[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
                batch.getLabels().getRow(0).toFloatVector());
        assertArrayEquals(
                new float[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
                batch.getLabels().getRow(1).toFloatVector());
    }

    @Test
    void takesTheRequestedSliceOfExamples() {
        byte[] pixels = IdxFixtures.pixels(5);
        DataSet batch = Minibatches.of(pixels, new byte[] {0, 1, 2, 3, 4}, 3, 2);
        assertEquals(2, batch.numExamples());
        assertEquals(((3 * 7 + 4 * 28 + 2) & 0xFF) / 255f, batch.getFeatures().getFloat(0, 2, 4), 1e-7);
        assertEquals(1f, batch.getLabels().getFloat(1, 4));
    }
}
