package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** Staged minibatch files: real MNIST bytes round-trip to the same minibatch, damaged files are refused by name. */
class MinibatchFileTest {

    @Test
    void roundTripGivesTheMinibatchOfTheIdxBytes() throws IOException {
        byte[] images = Mnist.imageBytes("train-images-idx3-ubyte", 100);
        byte[] digits = Mnist.labelBytes("train-labels-idx1-ubyte", 100);

        DataSet read = MinibatchFile.read(new ByteArrayInputStream(file(images, digits, 30, 40)), "x")
                .toDataSet();

        DataSet expected = Minibatches.of(images, digits, 30, 40);
        assertEquals(expected.getFeatures(), read.getFeatures());
        assertEquals(expected.getLabels(), read.getLabels());
        assertEquals(8 + 40 * (IdxHeader.PIXELS + 1), file(images, digits, 30, 40).length);
    }

    @Test
    void floatFilesHoldTheSameMinibatchAsTheBytesTheyWereScaledFrom() throws IOException {
        byte[] images = Mnist.imageBytes("train-images-idx3-ubyte", 40);
        byte[] digits = Mnist.labelBytes("train-labels-idx1-ubyte", 40);
        float[] scaled = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            scaled[i] = (images[i] & 0xFF) / 255f;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MinibatchFile.writeFloats(out, scaled, digits, 40);
        assertEquals(8 + 40 * (IdxHeader.PIXELS * 4 + 1), out.size());

        DataSet read = MinibatchFile.read(new ByteArrayInputStream(out.toByteArray()), "x")
                .toDataSet();
        DataSet expected = Minibatches.of(images, digits, 0, 40);
        assertEquals(expected.getFeatures(), read.getFeatures());
        assertEquals(expected.getLabels(), read.getLabels());

        byte[] truncated = Arrays.copyOf(out.toByteArray(), out.size() - 4);
        assertThrows(IOException.class, () -> MinibatchFile.read(new ByteArrayInputStream(truncated), "y"));
    }

    @Test
    void damagedFilesAreRefusedNamingTheFile() throws IOException {
        byte[] good = file(new byte[3 * IdxHeader.PIXELS], new byte[3], 0, 3);
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        for (byte[] damaged : new byte[][] {badMagic, truncated, trailing, new byte[3]}) {
            IOException e = assertThrows(
                    IOException.class,
                    () -> MinibatchFile.read(new ByteArrayInputStream(damaged), "batch-00000001.bin"));
            assertTrue(e.getMessage().startsWith("batch-00000001.bin: "), e.getMessage());
        }
    }

    private static byte[] file(byte[] pixels, byte[] labels, int first, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MinibatchFile.write(out, pixels, labels, first, count);
        return out.toByteArray();
    }
}
