package io.sparklstm.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The staged minibatch file: the examples' raw IDX bytes, decoded into a {@link DataSet} by whoever reads it.
 *
 * <p>Layout: magic {@code "SLMB"}, int count, then {@code count * 784} pixel bytes (row-major, as in the IDX file),
 * then {@code count} label bytes; big-endian like IDX. Why not {@code DataSet.save}: a serialized DataSet stores
 * 4-byte floats and ND4J reads them back one {@code readFloat()} through a synchronized stream at a time: in a
 * profile of the training job that was a third of the workers' samples in Java code (the LSTM's BLAS calls aside).
 * These files are four times smaller and decode in one tight loop.</p>
 */
public final class MinibatchFile {

    private static final int MAGIC = 0x534C4D42; // "SLMB"
    private static final int HEADER = 8;

    /** The examples of one file, still as IDX bytes. */
    public record Contents(byte[] pixels, byte[] labels, int count) {

        /** Decodes to the network's input layout ({@link Minibatches}). */
        public DataSet toDataSet() {
            return Minibatches.of(pixels, labels, 0, count);
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

    /** Reads a whole file; {@code name} only labels errors. */
    public static Contents read(InputStream in, String name) throws IOException {
        byte[] bytes = in.readAllBytes();
        ByteBuffer header = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER || header.getInt(0) != MAGIC) {
            throw new IOException(name + ": not a staged minibatch file (bad magic number)");
        }
        int count = header.getInt(4);
        if (count < 1 || bytes.length != HEADER + (long) count * (IdxHeader.PIXELS + 1)) {
            throw new IOException(
                    name + ": " + bytes.length + " bytes do not hold the " + count + " examples its header announces");
        }
        int labelsAt = HEADER + count * IdxHeader.PIXELS;
        return new Contents(
                Arrays.copyOfRange(bytes, HEADER, labelsAt), Arrays.copyOfRange(bytes, labelsAt, bytes.length), count);
    }
}
