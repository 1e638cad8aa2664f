package io.sparklstm.data;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files, well formed or deliberately broken, for the test that uses them. */
final class IdxFixtures {

    private IdxFixtures() {}

    /** IDX image bytes with the given header fields followed by {@code payload}. */
    static byte[] images(int magic, int count, int rows, int columns, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(columns);
        out.write(payload);
        return bytes.toByteArray();
    }

    static byte[] images(int count, byte[] payload) throws IOException {
        return images(2051, count, 28, 28, payload);
    }

    /** IDX label bytes with the given header fields followed by {@code labels}. */
    static byte[] labels(int magic, int count, byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.write(labels);
        return bytes.toByteArray();
    }

    static byte[] labels(byte... labels) throws IOException {
        return labels(2049, labels.length, labels);
    }

    /** {@code count} images whose pixel {@code i} of example {@code e} is {@code (e * 7 + i) % 256}. */
    static byte[] pixels(int count) {
        byte[] pixels = new byte[count * IdxHeader.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i / IdxHeader.PIXELS) * 7 + i % IdxHeader.PIXELS);
        }
        return pixels;
    }

    static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    static void writeGzip(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }

    /**
     * Writes a valid gzip file whose content is {@code head}, then {@code zeros} zero bytes, then {@code tail}, in
     * about a millisecond and a kilobyte per inflated megabyte: the zeros are one deflate block, compressed once and
     * repeated (every block decodes against a window of zeros, so each copy decodes to the same megabyte).
     */
    static void writeGzipBomb(Path file, byte[] head, long zeros, byte[] tail) throws IOException {
        Files.createDirectories(file.getParent());
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        CRC32 crc = new CRC32();
        byte[] megabyte = new byte[1 << 20];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}); // gzip header, deflate
            out.write(flush(deflater, head));
            crc.update(head);
            byte[] repeated = null;
            for (long left = zeros; left > 0; ) {
                int n = (int) Math.min(megabyte.length, left);
                if (n == megabyte.length && left != zeros) {
                    if (repeated == null) {
                        repeated = flush(deflater, megabyte); // encoded after a megabyte of zeros: repeatable
                    }
                    out.write(repeated);
                } else {
                    out.write(flush(deflater, Arrays.copyOf(megabyte, n)));
                }
                crc.update(megabyte, 0, n);
                left -= n;
            }
            deflater.setInput(tail);
            deflater.finish();
            byte[] buffer = new byte[1 << 16];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            crc.update(tail);
            ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            trailer.putInt((int) crc.getValue()).putInt((int) (head.length + zeros + tail.length));
            out.write(trailer.array());
        } finally {
            deflater.end();
        }
    }

    private static byte[] flush(Deflater deflater, byte[] input) {
        deflater.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        return out.toByteArray();
    }

    /** A complete, valid data set directory: {@code train} examples for training, {@code test} for testing. */
    static void writeDataset(Path dir, int train, int test) throws IOException {
        write(dir.resolve("train-images-idx3-ubyte"), images(train, pixels(train)));
        write(dir.resolve("train-labels-idx1-ubyte"), labels(cycle(train)));
        write(dir.resolve("t10k-images-idx3-ubyte"), images(test, pixels(test)));
        write(dir.resolve("t10k-labels-idx1-ubyte"), labels(cycle(test)));
    }

    private static byte[] cycle(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return labels;
    }
}
