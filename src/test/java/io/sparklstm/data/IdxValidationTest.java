package io.sparklstm.data;

import static io.sparklstm.data.IdxFixtures.images;
import static io.sparklstm.data.IdxFixtures.labels;
import static io.sparklstm.data.IdxFixtures.pixels;
import static io.sparklstm.data.IdxFixtures.write;
import static io.sparklstm.data.IdxFixtures.writeGzip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed-input case the reader must reject, each with a fixture generated here and a message checked. */
class IdxValidationTest {

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

    @TempDir
    Path dir;

    /** A fixture: turns a valid 3-train/2-test data set into a broken one. */
    interface Breakage {
        void apply(Path dir) throws IOException;
    }

    static Stream<Arguments> brokenDataSets() {
        return Stream.of(
                broken(
                        "images with a label magic number",
                        TRAIN_IMAGES,
                        "magic number 2049, expected 2051",
                        d -> write(d.resolve(TRAIN_IMAGES), images(2049, 3, 28, 28, pixels(3)))),
                broken(
                        "labels with an image magic number",
                        TRAIN_LABELS,
                        "magic number 2051, expected 2049",
                        d -> write(d.resolve(TRAIN_LABELS), labels(2051, 3, new byte[] {1, 2, 3}))),
                broken(
                        "32x32 images",
                        TRAIN_IMAGES,
                        "images are 32x32, expected 28x28",
                        d -> write(d.resolve(TRAIN_IMAGES), images(2051, 3, 32, 32, new byte[3 * 32 * 32]))),
                broken(
                        "more labels than images",
                        TRAIN_LABELS,
                        "has 4 labels but",
                        d -> write(d.resolve(TRAIN_LABELS), labels((byte) 1, (byte) 2, (byte) 3, (byte) 4))),
                broken(
                        "a label of 10",
                        TRAIN_LABELS,
                        "label 10 at example 2, expected a class in 0-9",
                        d -> write(d.resolve(TRAIN_LABELS), labels((byte) 0, (byte) 9, (byte) 10))),
                broken(
                        "a truncated image file",
                        TRAIN_IMAGES,
                        "is truncated",
                        d -> write(d.resolve(TRAIN_IMAGES), Arrays.copyOf(images(3, pixels(3)), 16 + 3 * 784 - 1))),
                broken(
                        "trailing bytes after the images",
                        TRAIN_IMAGES,
                        "has 5 trailing bytes",
                        d -> write(d.resolve(TRAIN_IMAGES), Arrays.copyOf(images(3, pixels(3)), 16 + 3 * 784 + 5))),
                broken(
                        "a count of two billion",
                        TRAIN_IMAGES,
                        "declares 2000000000 examples, expected between 1 and",
                        d -> write(d.resolve(TRAIN_IMAGES), images(2051, 2_000_000_000, 28, 28, pixels(3)))),
                broken(
                        "a negative count",
                        TRAIN_LABELS,
                        "declares 4294967295 examples",
                        d -> write(d.resolve(TRAIN_LABELS), labels(2049, -1, new byte[] {1, 2, 3}))),
                broken(
                        "a million images declared in a 3-image file",
                        TRAIN_IMAGES,
                        "is truncated: header declares 1000000 examples, so 784000016 bytes are expected, found 2368",
                        d -> write(d.resolve(TRAIN_IMAGES), images(2051, 1_000_000, 28, 28, pixels(3)))),
                broken(
                        "no examples",
                        TRAIN_LABELS,
                        "declares 0 examples",
                        d -> write(d.resolve(TRAIN_LABELS), labels(2049, 0, new byte[0]))),
                broken(
                        "an empty file",
                        TRAIN_IMAGES,
                        "file ends inside the 16-byte IDX header",
                        d -> write(d.resolve(TRAIN_IMAGES), new byte[0])),
                broken("a missing label file", TRAIN_LABELS, "not found", d -> Files.delete(d.resolve(TRAIN_LABELS))),
                broken("a gzip file cut short", TRAIN_IMAGES + ".gz", "is not a valid gzip stream", d -> {
                    Path gz = d.resolve(TRAIN_IMAGES + ".gz");
                    writeGzip(gz, images(3, pixels(3)));
                    Files.delete(d.resolve(TRAIN_IMAGES));
                    byte[] bytes = Files.readAllBytes(gz);
                    Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2));
                }),
                broken("a gzip file holding a truncated image file", TRAIN_IMAGES + ".gz", "is truncated", d -> {
                    writeGzip(d.resolve(TRAIN_IMAGES + ".gz"), Arrays.copyOf(images(3, pixels(3)), 100));
                    Files.delete(d.resolve(TRAIN_IMAGES));
                }),
                broken(
                        "a gzip file with trailing bytes inside",
                        TRAIN_IMAGES + ".gz",
                        // not inflated beyond the first extra byte, so their number is not known
                        "has trailing bytes: header declares 3 examples, so 2368 bytes are expected, found more",
                        d -> {
                            writeGzip(
                                    d.resolve(TRAIN_IMAGES + ".gz"),
                                    Arrays.copyOf(images(3, pixels(3)), 16 + 3 * 784 + 1));
                            Files.delete(d.resolve(TRAIN_IMAGES));
                        }),
                broken(
                        "a gzip file holding a label of 10",
                        "train-labels-idx1-ubyte.gz",
                        "label 10 at example 1, expected a class in 0-9",
                        d -> {
                            writeGzip(d.resolve(TRAIN_LABELS + ".gz"), labels((byte) 0, (byte) 10, (byte) 2));
                            Files.delete(d.resolve(TRAIN_LABELS));
                        }),
                broken(
                        "a directory named like the image file",
                        TRAIN_IMAGES,
                        "is a directory, expected a regular IDX file",
                        d -> {
                            Files.delete(d.resolve(TRAIN_IMAGES));
                            Files.createDirectory(d.resolve(TRAIN_IMAGES));
                        }),
                broken(
                        "a directory named like the gzipped label file",
                        TRAIN_LABELS + ".gz",
                        "is a directory, expected a regular IDX file",
                        d -> {
                            Files.delete(d.resolve(TRAIN_LABELS));
                            Files.createDirectory(d.resolve(TRAIN_LABELS + ".gz"));
                        }));
    }

    private static Arguments broken(String what, String file, String expected, Breakage breakage) {
        return Arguments.of(what, file, expected, breakage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDataSets")
    void rejectsWithOneLineNamingTheFile(String what, String file, String expected, Breakage breakage)
            throws IOException {
        IdxFixtures.writeDataset(dir, 3, 2);
        breakage.apply(dir);

        BadInputException e =
                assertThrows(BadInputException.class, () -> MnistInputs.inspect(dir.toString(), new Configuration()));

        assertTrue(e.getMessage().contains(dir.resolve(file).toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void rejectsAMissingDirectoryNamingTheOption() {
        BadInputException e = assertThrows(
                BadInputException.class,
                () -> MnistInputs.inspect(dir.resolve("nope").toString(), new Configuration()));
        assertTrue(e.getMessage().startsWith("--data "), e.getMessage());
        assertTrue(e.getMessage().contains("directory not found"), e.getMessage());
    }

    @Test
    void acceptsAValidDataSetAndHashesTheStoredBytes() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        writeGzip(dir.resolve("t10k-images-idx3-ubyte.gz"), images(2, pixels(2)));
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));

        MnistInputs inputs = MnistInputs.inspect(dir.toString(), new Configuration());

        assertEquals(3, inputs.train().count());
        assertEquals(2, inputs.test().count());
        assertTrue(inputs.test().images().file().compressed());
        Path gz = dir.resolve("t10k-images-idx3-ubyte.gz");
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gz)));
        assertEquals(expected, inputs.test().images().sha256());
        assertEquals(4, inputs.sha256ByFile().size());
    }
}
