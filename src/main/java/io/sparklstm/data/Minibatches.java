package io.sparklstm.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns raw IDX bytes into DL4J minibatches for the row-sequence model: image row {@code t} is time step {@code t},
 * its 28 pixels are the step's features, scaled from 0..255 to [0, 1]. Features are laid out NCW
 * ({@code [examples, 28 features, 28 steps]}, DL4J's default recurrent format); labels are one-hot {@code [examples, 10]},
 * matching the network's last-time-step output.
 */
public final class Minibatches {

    public static final int CLASSES = 10;
    public static final int STEPS = IdxHeader.ROWS;
    public static final int FEATURES = IdxHeader.COLUMNS;

    /** {@code SCALE[b]} = {@code b / 255f}: the same float as the division, looked up. */
    private static final float[] SCALE = new float[256];

    /** Per thread, the features of the last minibatch it decoded, before they are copied into native memory. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    static {
        for (int i = 0; i < SCALE.length; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private Minibatches() {}

    /**
     * Builds one minibatch from {@code count} consecutive examples.
     *
     * @param pixels row-major unsigned bytes, {@value IdxHeader#PIXELS} per example
     * @param labels one unsigned byte per example
     * @param first  index of the first example within the two arrays
     * @param count  examples in the minibatch
     */
    public static DataSet of(byte[] pixels, byte[] labels, int first, int count) {
        return dataSet(features(pixels, first, count), oneHot(labels, first, count), count);
    }

    /** A minibatch from {@link #features} and {@link #oneHot} arrays of {@code count} examples. */
    public static DataSet dataSet(float[] features, float[] oneHot, int count) {
        return new DataSet(featureArray(features, count), labelArray(oneHot, count));
    }

    /** A label array of the network from {@link #oneHot} labels of {@code count} examples. */
    public static INDArray labelArray(float[] oneHot, int count) {
        return Nd4j.create(oneHot, new long[] {count, CLASSES}, DataType.FLOAT);
    }

    /** The features of {@code count} examples as a C-ordered {@code [count, 28 features, 28 steps]} array. */
    public static float[] features(byte[] pixels, int first, int count) {
        float[] features = new float[count * IdxHeader.PIXELS];
        decode(pixels, first, count, null, null, features);
        return features;
    }

    /**
     * The network's layout of {@code count} images given row-major ({@value IdxHeader#PIXELS} values each, pixel
     * {@code (row, column)} at {@code row * 28 + column}, as in IDX files): C-ordered
     * {@code [count, 28 features, 28 steps]}, values unchanged.
     */
    public static float[] features(float[] rowMajor, int first, int count) {
        float[] features = new float[count * IdxHeader.PIXELS];
        for (int e = 0; e < count; e++) {
            int src = (first + e) * IdxHeader.PIXELS;
            int dst = e * IdxHeader.PIXELS;
            for (int step = 0; step < STEPS; step++) {
                for (int feature = 0; feature < FEATURES; feature++) {
                    features[dst + feature * STEPS + step] = rowMajor[src + step * FEATURES + feature];
                }
            }
        }
        return features;
    }

    /** An input array of the network from {@link #features} of {@code count} examples. */
    public static INDArray featureArray(float[] features, int count) {
        return Nd4j.create(features, new long[] {count, FEATURES, STEPS}, DataType.FLOAT);
    }

    /**
     * The input array of {@code count} images (IDX bytes from example {@code first} on), each moved by its own offset
     * from {@code shift} (null: unmoved). The same values as {@link #featureArray(float[], int)} of {@link #features}
     * (shifted by {@link RandomShift#apply} with the same {@code random}), built the way a worker needs it for every
     * minibatch: decoded, transposed and shifted in one pass into a per-thread scratch array, then copied once into
     * native memory that is not zeroed first. The general path allocates a Java array of the minibatch's size (and
     * one more when shifting) and zeroes the native buffer before filling it; before this path, decoding through three
     * such arrays was, with the page faults of so much fresh memory, a tenth of the training task in a profile of the
     * job's second epoch on Spark local[1].
     *
     * @param random the offsets' source, consumed as {@link RandomShift#apply} does; unused when {@code shift} is null
     */
    public static INDArray featureArray(
            byte[] pixels, int first, int count, RandomShift shift, SplittableRandom random) {
        int values = count * IdxHeader.PIXELS;
        float[] scratch = SCRATCH.get();
        if (scratch.length < values) {
            scratch = new float[values];
            SCRATCH.set(scratch);
        }
        decode(pixels, first, count, shift, random, scratch);
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, new long[] {count, FEATURES, STEPS}, 'c');
        array.data().asNioFloat().put(scratch, 0, values);
        return array;
    }

    /**
     * Writes {@code count} images (IDX bytes from example {@code first} on) in the network's layout to the start of
     * {@code out}, each moved by its own offset from {@code shift} (null: unmoved).
     */
    private static void decode(
            byte[] pixels, int first, int count, RandomShift shift, SplittableRandom random, float[] out) {
        for (int e = 0; e < count; e++) {
            int down = shift == null ? 0 : shift.offset(random);
            int right = shift == null ? 0 : shift.offset(random);
            decode(pixels, (first + e) * IdxHeader.PIXELS, out, e * IdxHeader.PIXELS, down, right);
        }
    }

    /**
     * Writes one image in the network's layout, moved {@code down} rows and {@code right} columns (background where
     * nothing moved in), from row-major IDX bytes at {@code src}.
     */
    private static void decode(byte[] pixels, int src, float[] out, int dst, int down, int right) {
        for (int feature = 0; feature < FEATURES; feature++) {
            int column = feature - right;
            int at = dst + feature * STEPS;
            if (column < 0 || column >= FEATURES) {
                Arrays.fill(out, at, at + STEPS, 0f);
                continue;
            }
            for (int step = 0; step < STEPS; step++) {
                int row = step - down;
                out[at + step] = row < 0 || row >= STEPS ? 0f : SCALE[pixels[src + row * FEATURES + column] & 0xFF];
            }
        }
    }

    /** One-hot labels of {@code count} examples, C-ordered {@code [count, 10]}. */
    public static float[] oneHot(byte[] labels, int first, int count) {
        float[] oneHot = new float[count * CLASSES];
        for (int e = 0; e < count; e++) {
            oneHot[e * CLASSES + (labels[first + e] & 0xFF)] = 1f;
        }
        return oneHot;
    }
}
