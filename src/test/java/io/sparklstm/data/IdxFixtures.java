package io.sparklstm.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
