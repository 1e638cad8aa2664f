package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/** Shifting real MNIST digits: the geometry of one shift, the spread of offsets, and the loader's reproducibility. */
class RandomShiftTest {

    private static final int PIXELS = 28 * 28;

    @TempDir
    Path tmp;

    @Test
    void shiftMovesRowsAndColumnsAndFillsWithBackground() {
        float[] image = new float[PIXELS];
        for (int i = 0; i < PIXELS; i++) {
            image[i] = i + 1; // every pixel distinct and non-zero
        }
        float[] out = new float[PIXELS];
        RandomShift.shift(image, out, 0, 2, -1); // 2 rows down, 1 column left
        for (int col = 0; col < 28; col++) {
            for (int row = 0; row < 28; row++) {
                int fromRow = row - 2, fromCol = col + 1;
                float expected = fromRow < 0 || fromCol > 27 ? 0f : image[fromCol * 28 + fromRow];
                assertEquals(expected, out[col * 28 + row], "row " + row + ", col " + col);
            }
        }
        float[] same = new float[PIXELS];
        RandomShift.shift(image, same, 0, 0, 0);
        assertArrayEquals(image, same);
    }

    @Test
    void everyImageIsOneOfTheAllowedShiftsOfItselfAndOffsetsVary() throws IOException {
        float[] features = realMinibatch().getFeatures().dup('c').data().asFloat();
        float[] shifted = new RandomShift(2).apply(features, new SplittableRandom(1));
        Set<String> offsetsSeen = new HashSet<>();
        for (int e = 0; e < features.length / PIXELS; e++) {
            String offset = matchingOffset(features, shifted, e * PIXELS, 2);
            assertTrue(offset != null, "image " + e + " is no shift of at most 2 pixels of its original");
            offsetsSeen.add(offset);
        }
        assertTrue(offsetsSeen.size() >= 10, "offsets used on 64 images: " + offsetsSeen);
    }

    @Test
    void loaderIsReproduciblePerSeedEpochAndFileButNotAcrossEpochs() throws IOException {
        File file = tmp.resolve("batch-00007").toFile();
        try (OutputStream out = Files.newOutputStream(file.toPath())) {
            MinibatchFile.write(out, imageBytes(), labelBytes(), 0, 64);
        }
        Source source = source(file);
        DataSet batch = new MinibatchLoader(0, 12345, 1).load(source);

        DataSet a = new MinibatchLoader(2, 12345, 1).load(source);
        DataSet again = new MinibatchLoader(2, 12345, 1).load(source);
        DataSet nextEpoch = new MinibatchLoader(2, 12345, 2).load(source);

        assertEquals(realMinibatch().getFeatures(), batch.getFeatures()); // unshifted: exactly as staged
        assertEquals(a.getFeatures(), again.getFeatures());
        assertFalse(a.getFeatures().equals(nextEpoch.getFeatures()));
        assertFalse(a.getFeatures().equals(batch.getFeatures()));
        assertArrayEquals(batch.getFeatures().shape(), a.getFeatures().shape());
        assertEquals(batch.getLabels(), a.getLabels());
    }

    @Test
    void rejectsShiftsTheImageCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new RandomShift(-1));
        assertThrows(IllegalArgumentException.class, () -> new RandomShift(28));
    }

    /** The offset "down,right" that turns image {@code offset} of {@code in} into the one in {@code out}, or null. */
    private static String matchingOffset(float[] in, float[] out, int offset, int max) {
        float[] original = Arrays.copyOfRange(in, offset, offset + PIXELS);
        float[] actual = Arrays.copyOfRange(out, offset, offset + PIXELS);
        for (int down = -max; down <= max; down++) {
            for (int right = -max; right <= max; right++) {
                float[] candidate = new float[PIXELS];
                RandomShift.shift(original, candidate, 0, down, right);
                if (Arrays.equals(candidate, actual)) {
                    return down + "," + right;
                }
            }
        }
        return null;
    }

    private static DataSet realMinibatch() throws IOException {
        return Minibatches.of(imageBytes(), labelBytes(), 0, 64);
    }

    private static byte[] imageBytes() {
        return Mnist.imageBytes("train-images-idx3-ubyte", 64);
    }

    private static byte[] labelBytes() {
        return Mnist.labelBytes("train-labels-idx1-ubyte", 64);
    }

    private static Source source(File file) {
        return new Source() {
            @Override
            public InputStream getInputStream() throws IOException {
                return Files.newInputStream(file.toPath());
            }

            @Override
            public String getPath() {
                return file.getAbsolutePath();
            }
        };
    }
}
