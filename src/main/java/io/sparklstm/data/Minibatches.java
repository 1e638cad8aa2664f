package io.sparklstm.data;

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
        return new DataSet(
                featureArray(features, count), Nd4j.create(oneHot, new long[] {count, CLASSES}, DataType.FLOAT));
    }

    /** The features of {@code count} examples as a C-ordered {@code [count, 28 features, 28 steps]} array. */
    public static float[] features(byte[] pixels, int first, int count) {
        float[] scaled = new float[count * IdxHeader.PIXELS];
        int offset = first * IdxHeader.PIXELS;
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = (pixels[offset + i] & 0xFF) / 255f;
        }
        return features(scaled, 0, count);
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

    /** One-hot labels of {@code count} examples, C-ordered {@code [count, 10]}. */
    public static float[] oneHot(byte[] labels, int first, int count) {
        float[] oneHot = new float[count * CLASSES];
        for (int e = 0; e < count; e++) {
            oneHot[e * CLASSES + (labels[first + e] & 0xFF)] = 1f;
        }
        return oneHot;
    }
}
