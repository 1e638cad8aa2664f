package io.sparklstm.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The header of an IDX file as MNIST uses it: big-endian magic number, example count and, for images, rows and columns.
 * Only the two layouts this job trains on are accepted: unsigned-byte images of {@value #ROWS}x{@value #COLUMNS}
 * (magic 2051) and unsigned-byte labels (magic 2049).
 *
 * @param kind  images or labels
 * @param count number of examples the header declares
 */
public record IdxHeader(Kind kind, int count) {

    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int PIXELS = ROWS * COLUMNS;

    /**
     * Largest count accepted before anything is allocated or read: well above any MNIST-format data set (EMNIST has
     * ~0.8 M images) and far below what would overflow a byte offset or exhaust a worker.
     */
    public static final int MAX_COUNT = 20_000_000;

    /** The two IDX layouts the job reads. */
    public enum Kind {
        IMAGES(0x00000803, 16, PIXELS),
        LABELS(0x00000801, 8, 1);

        final int magic;
        final int headerBytes;
        final int bytesPerExample;

        Kind(int magic, int headerBytes, int bytesPerExample) {
            this.magic = magic;
            this.headerBytes = headerBytes;
            this.bytesPerExample = bytesPerExample;
        }

        public int headerBytes() {
            return headerBytes;
        }

        public int bytesPerExample() {
            return bytesPerExample;
        }

        /** Byte offset of example {@code index} in an uncompressed file of this kind. */
        public long offsetOf(long index) {
            return headerBytes + index * bytesPerExample;
        }
    }

    /** Reads and checks a header; {@code file} only names the file in error messages. */
    public static IdxHeader read(DataInputStream in, Kind kind, String file) throws IOException {
        try {
            int magic = in.readInt();
            if (magic != kind.magic) {
                throw new IdxFormatException(
                        file,
                        String.format(
                                "magic number %d, expected %d (IDX %s)",
                                magic,
                                kind.magic,
                                kind == Kind.IMAGES
                                        ? "unsigned-byte images, 3 dimensions"
                                        : "unsigned-byte labels, 1 dimension"));
            }
            int count = in.readInt();
            if (count < 1 || count > MAX_COUNT) {
                throw new IdxFormatException(
                        file,
                        "declares " + Integer.toUnsignedString(count) + " examples, expected between 1 and "
                                + MAX_COUNT);
            }
            if (kind == Kind.IMAGES) {
                int rows = in.readInt();
                int columns = in.readInt();
                if (rows != ROWS || columns != COLUMNS) {
                    throw new IdxFormatException(
                            file, "images are " + rows + "x" + columns + ", expected " + ROWS + "x" + COLUMNS);
                }
            }
            return new IdxHeader(kind, count);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "file ends inside the " + kind.headerBytes + "-byte IDX header");
        }
    }

    /** Bytes that follow the header in a well-formed file. */
    public long payloadBytes() {
        return (long) count * kind.bytesPerExample;
    }

    /** Exact length of a well-formed uncompressed file. */
    public long fileBytes() {
        return kind.headerBytes + payloadBytes();
    }
}
