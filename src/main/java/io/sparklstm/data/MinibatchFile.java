package io.sparklstm.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The staged minibatch file: the examples' raw IDX bytes (or, for data that does not come from IDX files, their
 * values as floats), decoded into a {@link DataSet} by whoever reads it.
 *
 * <p>Layout: magic {@code "SLMB"}, int count, then {@code count * 784} pixel bytes (row-major, as in the IDX file),
 * then {@code count} label bytes; big-endian like IDX. The float variant, magic {@code "SLMF"}, holds
 * {@code count * 784} big-endian floats in place of the pixel bytes, used as they are (not scaled). Why not
 * {@code DataSet.save}: a serialized DataSet stores 4-byte floats and ND4J reads them back one {@code readFloat()}
 * through a synchronized stream at a time: in a profile of the training job that was a third of the workers' samples
 * in Java code (the LSTM's BLAS calls aside). The byte files are four times smaller, and both decode in one tight
 * loop.</p>
 */
public final class MinibatchFile {

    private static final int MAGIC = 0x534C4D42; // "SLMB"
    private static final int MAGIC_FLOATS = 0x534C4D46; // "SLMF"
    private static final int HEADER = 8;

    /**
     * The examples of one file: {@code pixels} (IDX bytes, scaled to [0, 1] when decoded) or {@code values} (floats
     * used as they are), both row-major per example; the other is null.
     */
    public record Contents(byte[] pixels, float[] values, byte[] labels, int count) {

        /** The features in the network's layout ({@link Minibatches#features}). */
        public float[] features() {
            return pixels != null ? Minibatches.features(pixels, 0, count) : Minibatches.features(values, 0, count);
        }

        /** Decodes to the network's input layout ({@link Minibatches}). */
        public DataSet toDataSet() {
            return toDataSet(null, null);
        }

        /**
         * Decodes to the network's input layout, every image moved by its own offset from {@code shift} (null:
         * unmoved; {@code random} is then unused).
         */
        public DataSet toDataSet(RandomShift shift, SplittableRandom random) {
            float[] oneHot = Minibatches.oneHot(labels, 0, count);
            if (pixels != null) {
                return new DataSet(
                        Minibatches.featureArray(pixels, 0, count, shift, random),
                        Minibatches.labelArray(oneHot, count));
            }
            float[] features = features();
            return Minibatches.dataSet(shift == null ? features : shift.apply(features, random), oneHot, count);
        }
    }

    private MinibatchFile() {}

    /** Writes {@code count} examples starting at {@code first} of the given IDX payloads. */
    public static void write(OutputStream out, byte[] pixels, byte[] labels, int first, int count) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(count);
        data.write(pixels, first * IdxHeader.PIXELS, count * IdxHeader.PIXELS);
        data.write(labels, first, count);
        data.flush();
    }

    /** Writes {@code count} examples of {@code values} (784 each, row-major) and their labels (0-9), from the start. */
    public static void writeFloats(OutputStream out, float[] values, byte[] labels, int count) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + count * (IdxHeader.PIXELS * Float.BYTES + 1));
        buffer.putInt(MAGIC_FLOATS).putInt(count);
        buffer.asFloatBuffer().put(values, 0, count * IdxHeader.PIXELS);
        buffer.position(HEADER + count * IdxHeader.PIXELS * Float.BYTES);
        buffer.put(labels, 0, count);
        out.write(buffer.array());
        out.flush();
    }

    /** Reads a whole file; {@code name} only labels errors. */
    public static Contents read(InputStream in, String name) throws IOException {
        return read(in.readAllBytes(), name);
    }

    /** Decodes a whole file's bytes (only read: the contents are copies); {@code name} only labels errors. */
    public static Contents read(byte[] bytes, String name) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(bytes);
        int magic = bytes.length < HEADER ? 0 : header.getInt(0);
        if (magic != MAGIC && magic != MAGIC_FLOATS) {
            throw new IOException(name + ": not a staged minibatch file (bad magic number)");
        }
        int valueBytes = magic == MAGIC ? 1 : Float.BYTES;
        int count = header.getInt(4);
        if (count < 1 || bytes.length != HEADER + (long) count * (IdxHeader.PIXELS * valueBytes + 1)) {
            throw new IOException(
                    name + ": " + bytes.length + " bytes do not hold the " + count + " examples its header announces");
        }
        int labelsAt = HEADER + count * IdxHeader.PIXELS * valueBytes;
        byte[] labels = Arrays.copyOfRange(bytes, labelsAt, bytes.length);
        if (magic == MAGIC) {
            return new Contents(Arrays.copyOfRange(bytes, HEADER, labelsAt), null, labels, count);
        }
        float[] values = new float[count * IdxHeader.PIXELS];
        ByteBuffer.wrap(bytes, HEADER, labelsAt - HEADER).asFloatBuffer().get(values);
        return new Contents(null, values, labels, count);
    }
}
