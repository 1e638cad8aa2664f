package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.common.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What executors stage is what the driver validated: the driver refuses an input that changed since validation, and
 * an executor refuses bytes whose CRC-32 differs from the one the driver computed for its shard.
 */
class ShardChecksumTest {

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    private static final int EXAMPLES = 200;

    @TempDir
    Path tmp;

    @Test
    void anExecutorStagesBytesMatchingTheShardsChecksums() throws IOException {
        Path data = writeRawDataset();
        byte[] pixels = Mnist.imageBytes(TRAIN_IMAGES, EXAMPLES);
        byte[] labels = Mnist.labelBytes(TRAIN_LABELS, EXAMPLES);
        Shard shard = shard(data, 64, 70, crc(pixels, 64 * 784, 70 * 784), crc(labels, 64, 70));

        Iterator<String> written = function().call(shard);

        String first = written.next();
        assertTrue(first.endsWith("batch-00000002.bin"), first);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        MinibatchFile.write(expected, pixels, labels, 64, 32);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(Path.of(URI.create(first))));
    }

    @Test
    void anExecutorRefusesBytesThatDoNotMatchTheDriversChecksum() throws IOException {
        Path data = writeRawDataset();
        byte[] pixels = Mnist.imageBytes(TRAIN_IMAGES, EXAMPLES);
        byte[] labels = Mnist.labelBytes(TRAIN_LABELS, EXAMPLES);
        long pixelCrc = crc(pixels, 64 * 784, 70 * 784);
        long labelCrc = crc(labels, 64, 70);
        // the driver validated other pixels than the file now holds
        Shard shard = shard(data, 64, 70, pixelCrc ^ 1, labelCrc);

        IOException e = assertThrows(IOException.class, () -> function().call(shard));

        String message = e.getMessage();
        assertTrue(message.contains(data.resolve(TRAIN_IMAGES).toString()), message);
        assertTrue(message.contains("examples 64-133"), message);
        assertTrue(message.contains(String.format("read with CRC-32 %08x", pixelCrc)), message);
        assertTrue(message.contains(String.format("expected %08x", pixelCrc ^ 1)), message);
        assertTrue(message.contains("changed since it was validated"), message);
        assertEquals(1, message.lines().count(), message);
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    @Test
    void anExecutorRefusesAFileCutShortWithinItsShard() throws IOException {
        Path data = writeRawDataset();
        Path images = data.resolve(TRAIN_IMAGES);
        try (RandomAccessFile file = new RandomAccessFile(images.toFile(), "rw")) {
            file.setLength(16 + 100 * 784);
        }
        Shard shard = shard(data, 64, 70, 0, 0);

        IOException e = assertThrows(IOException.class, () -> function().call(shard));

        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ends before examples 64-133 were read"), e.getMessage());
    }

    @Test
    void aRawFileChangedAfterValidationIsRefusedBeforeStaging() throws IOException {
        Path data = writeRawDataset();
        JavaSparkContext sc = TestSpark.context();
        MnistInputs inputs = MnistInputs.inspect(data.toString(), sc.hadoopConfiguration());
        Path images = data.resolve(TRAIN_IMAGES);
        try (RandomAccessFile file = new RandomAccessFile(images.toFile(), "rw")) {
            long offset = 16 + 150 * 784 + 400; // inside a shard's range
            file.seek(offset);
            int b = file.read();
            file.seek(offset);
            file.write(b ^ 0xFF);
        }

        assertRefusedAsChanged(sc, inputs, images);
    }

    @Test
    void aGzippedFileChangedAfterValidationIsRefusedBeforeStaging() throws IOException {
        Path data = writeRawDataset();
        Path labels = data.resolve(TRAIN_LABELS + ".gz");
        byte[] content = Files.readAllBytes(data.resolve(TRAIN_LABELS));
        IdxFixtures.writeGzip(labels, content);
        Files.delete(data.resolve(TRAIN_LABELS));
        JavaSparkContext sc = TestSpark.context();
        MnistInputs inputs = MnistInputs.inspect(data.toString(), sc.hadoopConfiguration());
        content[8 + 10] = (byte) ((content[8 + 10] + 1) % 10); // still a valid label, but another one
        IdxFixtures.writeGzip(labels, content);

        assertRefusedAsChanged(sc, inputs, labels);
    }

    private void assertRefusedAsChanged(JavaSparkContext sc, MnistInputs inputs, Path file) {
        Path staged = tmp.resolve("staged");
        BadInputException e = assertThrows(
                BadInputException.class, () -> new MinibatchStager(sc, FileSystem.getLocal(sc.hadoopConfiguration()))
                        .stage(inputs.train(), 0, 32, new org.apache.hadoop.fs.Path(staged.toUri())));

        assertTrue(e.getMessage().startsWith("file:" + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("changed since it was validated: its SHA-256 is now"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertFalse(Files.exists(staged.resolve("batches")), "nothing staged");
    }

    /** The header and the first {@value #EXAMPLES} examples of MNIST's training files, and a small test split. */
    private Path writeRawDataset() throws IOException {
        Path data = tmp.resolve("data");
        IdxFixtures.writeDataset(data, 3, 2);
        IdxFixtures.write(
                data.resolve(TRAIN_IMAGES), IdxFixtures.images(EXAMPLES, Mnist.imageBytes(TRAIN_IMAGES, EXAMPLES)));
        IdxFixtures.write(data.resolve(TRAIN_LABELS), IdxFixtures.labels(Mnist.labelBytes(TRAIN_LABELS, EXAMPLES)));
        return data;
    }

    private Shard shard(Path data, long first, int count, long imagesCrc, long labelsCrc) {
        return new Shard(
                data.resolve(TRAIN_IMAGES).toUri().toString(),
                data.resolve(TRAIN_LABELS).toUri().toString(),
                first,
                count,
                32,
                tmp.resolve("out").toUri().toString(),
                imagesCrc,
                labelsCrc);
    }

    private static StageShardFunction function() {
        return new StageShardFunction(BroadcastHadoopConfigHolder.get(TestSpark.context()));
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
