package io.sparklstm.data;

import static io.sparklstm.data.IdxFixtures.images;
import static io.sparklstm.data.IdxFixtures.labels;
import static io.sparklstm.data.IdxFixtures.pixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.common.BadInputException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Gzipped inputs are inflated only as far as needed: never beyond what the header declares (plus one byte to detect
 * trailing data), and with a limit only through the examples used, both when validating and when staging. The
 * fixtures are gzip bombs: a valid IDX header followed by zeros, a kilobyte on disk per inflated megabyte.
 */
class GzipLimitsTest {

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

    /** Declared by the bombs: 784 MB of images once inflated. */
    private static final int BOMB_EXAMPLES = 1_000_000;

    private static final int LIMIT = 100;

    @TempDir
    Path dir;

    private final FileSystem local = local();

    @Test
    void trailingDataAfterTheDeclaredImagesIsRefusedWithoutInflatingIt() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Files.delete(dir.resolve(TRAIN_IMAGES));
        Path bomb = dir.resolve(TRAIN_IMAGES + ".gz");
        // 3 images as declared, then 2 GiB of zeros and some garbage
        IdxFixtures.writeGzipBomb(bomb, images(3, pixels(3)), 2L << 30, new byte[] {1, 2, 3});
        assertTrue(Files.size(bomb) < 4_000_000, "bomb of " + Files.size(bomb) + " bytes");
        AtomicLong inflated = new AtomicLong();

        IdxFormatException e = assertThrows(
                IdxFormatException.class,
                () -> IdxScan.of(local, locate(TRAIN_IMAGES, IdxHeader.Kind.IMAGES), 0, counting(inflated)));

        assertTrue(e.getMessage().contains(bomb.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("has trailing bytes"), e.getMessage());
        assertEquals(16 + 3 * 784 + 1, inflated.get(), "bytes inflated");
        BadInputException viaInspect = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThrows(
                        BadInputException.class, () -> MnistInputs.inspect(dir.toString(), new Configuration())));
        assertTrue(viaInspect.getMessage().contains("has trailing bytes"), viaInspect.getMessage());
    }

    @Test
    void aLimitedScanInflatesOnlyTheExamplesUsedAndHashesTheWholeStoredFile() throws Exception {
        Path bomb = dir.resolve(TRAIN_IMAGES + ".gz");
        IdxFixtures.writeGzipBomb(bomb, images(BOMB_EXAMPLES, new byte[0]), (long) BOMB_EXAMPLES * 784, new byte[0]);
        AtomicLong inflated = new AtomicLong();

        IdxScan scan = IdxScan.of(local, locate(TRAIN_IMAGES, IdxHeader.Kind.IMAGES), LIMIT, counting(inflated));

        assertEquals(16 + LIMIT * 784, inflated.get(), "bytes inflated");
        assertEquals(BOMB_EXAMPLES, scan.header().count());
        assertEquals(LIMIT, scan.checkedExamples());
        assertEquals(sha256(bomb), scan.sha256());
    }

    /** Documented: with a limit, the unused tail of a gzipped file is not validated; without one, it is. */
    @Test
    void theUnusedTailOfAGzippedFileIsNotValidated() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Files.delete(dir.resolve(TRAIN_LABELS));
        IdxFixtures.writeGzip(dir.resolve(TRAIN_LABELS + ".gz"), labels((byte) 1, (byte) 2, (byte) 10));

        MnistInputs limited = MnistInputs.inspect(dir.toString(), new Configuration(), 2, 0);

        assertEquals(2, limited.train().checked());
        BadInputException whole =
                assertThrows(BadInputException.class, () -> MnistInputs.inspect(dir.toString(), new Configuration()));
        assertTrue(whole.getMessage().contains("label 10 at example 2"), whole.getMessage());
        BadInputException inUse = assertThrows(
                BadInputException.class, () -> MnistInputs.inspect(dir.toString(), new Configuration(), 3, 0));
        assertTrue(inUse.getMessage().contains("label 10 at example 2"), inUse.getMessage());
    }

    @Test
    void stagingALimitedBombCopiesOnlyTheHeaderAndTheExamplesUsed() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Files.delete(dir.resolve(TRAIN_IMAGES));
        Files.delete(dir.resolve(TRAIN_LABELS));
        byte[] firstImages = Mnist.imageBytes(TRAIN_IMAGES, LIMIT);
        byte[] firstLabels = Mnist.labelBytes(TRAIN_LABELS, LIMIT);
        IdxFixtures.writeGzipBomb(
                dir.resolve(TRAIN_IMAGES + ".gz"),
                images(BOMB_EXAMPLES, firstImages),
                (long) (BOMB_EXAMPLES - LIMIT) * 784,
                new byte[0]);
        IdxFixtures.writeGzipBomb(
                dir.resolve(TRAIN_LABELS + ".gz"),
                labels(2049, BOMB_EXAMPLES, firstLabels),
                BOMB_EXAMPLES - LIMIT,
                new byte[0]);
        JavaSparkContext sc = TestSpark.context();
        Configuration hadoop = sc.hadoopConfiguration();
        Path staged = dir.resolve("staged");

        MnistInputs inputs = MnistInputs.inspect(dir.toString(), hadoop, LIMIT, 0);
        StagedSplit split = new MinibatchStager(sc, FileSystem.getLocal(hadoop))
                .stage(inputs.train(), LIMIT, 32, new org.apache.hadoop.fs.Path(staged.toUri()));

        Path imageCopy = staged.resolve(TRAIN_IMAGES);
        Path labelCopy = staged.resolve(TRAIN_LABELS);
        assertEquals(16 + LIMIT * 784, Files.size(imageCopy));
        assertEquals(8 + LIMIT, Files.size(labelCopy));
        assertEquals(LIMIT, ByteBuffer.wrap(Files.readAllBytes(imageCopy)).getInt(4), "count in the copy's header");
        assertEquals(LIMIT, ByteBuffer.wrap(Files.readAllBytes(labelCopy)).getInt(4), "count in the copy's header");
        assertArrayEquals(firstImages, Arrays.copyOfRange(Files.readAllBytes(imageCopy), 16, 16 + LIMIT * 784));
        assertEquals(LIMIT, split.examples());
        assertEquals(4, split.batchPaths().size());
        DataSet first = Mnist.loadBatch(split.batchPaths().get(0));
        assertEquals(Minibatches.of(firstImages, firstLabels, 0, 32).getFeatures(), first.getFeatures());
        IllegalArgumentException beyond =
                assertThrows(IllegalArgumentException.class, () -> new MinibatchStager(sc, FileSystem.getLocal(hadoop))
                        .stage(inputs.train(), 0, 32, new org.apache.hadoop.fs.Path(staged.toUri())));
        assertTrue(beyond.getMessage().contains("only the first 100 were validated"), beyond.getMessage());
    }

    private IdxFile locate(String name, IdxHeader.Kind kind) throws IOException {
        return IdxFile.locate(local, new org.apache.hadoop.fs.Path(dir.toUri()), name, kind);
    }

    /** Counts the bytes read from the decoded (inflated) content. */
    private static UnaryOperator<InputStream> counting(AtomicLong bytes) {
        return in -> new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytes.addAndGet(n);
                }
                return n;
            }
        };
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static FileSystem local() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
