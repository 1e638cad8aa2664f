package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.Mnist;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
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

    @Test
    void workersOnePassDecodingEqualsTheGeneralPathShiftedOrNot() throws IOException {
        byte[] pixels = Mnist.imageBytes("train-images-idx3-ubyte", 200);
        for (int maxShift : new int[] {0, 2, 5}) {
            RandomShift shift = maxShift == 0 ? null : new RandomShift(maxShift);
            for (int first : new int[] {0, 17, 136}) {
                int count = 64;
                float[] general = Minibatches.features(pixels, first, count);
                if (shift != null) {
                    general = shift.apply(general, new SplittableRandom(first));
                }
                INDArray expected = Minibatches.featureArray(general, count);

                INDArray direct = Minibatches.featureArray(pixels, first, count, shift, new SplittableRandom(first));

                assertArrayEquals(expected.shape(), direct.shape());
                assertEquals('c', direct.ordering());
                assertArrayEquals(
                        expected.data().asFloat(),
                        direct.data().asFloat(),
                        "max shift " + maxShift + ", first " + first);
            }
        }
        // a smaller minibatch after a larger one on the same thread: only its own examples
        INDArray small = Minibatches.featureArray(pixels, 5, 3, null, null);
        assertArrayEquals(Minibatches.features(pixels, 5, 3), small.data().asFloat());
    }
}
