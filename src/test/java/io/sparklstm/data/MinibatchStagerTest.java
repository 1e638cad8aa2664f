package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/** Executors stage real MNIST examples as minibatch files; raw and gzipped inputs give the same minibatches. */
class MinibatchStagerTest {

    private static final int EXAMPLES = 300;

    @TempDir
    Path tmp;

    @Test
    void rawAndGzippedInputsStageIdenticalMinibatches() throws IOException {
        Path raw = tmp.resolve("raw");
        Path gz = tmp.resolve("gz");
        for (String prefix : new String[] {"train", "t10k"}) {
            byte[] images = head(prefix + "-images-idx3-ubyte", 16, IdxHeader.PIXELS);
            byte[] labels = head(prefix + "-labels-idx1-ubyte", 8, 1);
            IdxFixtures.write(raw.resolve(prefix + "-images-idx3-ubyte"), images);
            IdxFixtures.write(raw.resolve(prefix + "-labels-idx1-ubyte"), labels);
            IdxFixtures.writeGzip(gz.resolve(prefix + "-images-idx3-ubyte.gz"), images);
            IdxFixtures.writeGzip(gz.resolve(prefix + "-labels-idx1-ubyte.gz"), labels);
        }
        JavaSparkContext sc = TestSpark.context();
        Configuration hadoop = sc.hadoopConfiguration();
        MinibatchStager stager = new MinibatchStager(sc, FileSystem.getLocal(hadoop));

        StagedSplit fromRaw = stager.stage(
                MnistInputs.inspect(raw.toString(), hadoop).train(),
                0,
                64,
                new org.apache.hadoop.fs.Path(tmp.resolve("staged-raw").toUri()));
        StagedSplit fromGz = stager.stage(
                MnistInputs.inspect(gz.toString(), hadoop).train(),
                250,
                64,
                new org.apache.hadoop.fs.Path(tmp.resolve("staged-gz").toUri()));

        assertEquals(EXAMPLES, fromRaw.examples());
        assertEquals(5, fromRaw.batchPaths().size());
        assertEquals(250, fromGz.examples());
        assertEquals(4, fromGz.batchPaths().size());
        List<DataSet> rawBatches =
                fromRaw.batchPaths().stream().map(Mnist::loadBatch).toList();
        List<DataSet> gzBatches =
                fromGz.batchPaths().stream().map(Mnist::loadBatch).toList();
        assertEquals(44, rawBatches.get(4).numExamples());
        assertEquals(58, gzBatches.get(3).numExamples());
        for (int i = 0; i < 3; i++) {
            assertEquals(rawBatches.get(i).getFeatures(), gzBatches.get(i).getFeatures(), "features of batch " + i);
            assertEquals(rawBatches.get(i).getLabels(), gzBatches.get(i).getLabels(), "labels of batch " + i);
        }
        // Example 0 of MNIST's training set is a 5.
        assertEquals(5, rawBatches.get(0).getLabels().getRow(0).argMax().getInt(0));
        // The staged bytes themselves: "SLMB", the count, the pixels and the labels as in the IDX files.
        byte[] pixels = Mnist.imageBytes("train-images-idx3-ubyte", EXAMPLES);
        byte[] digits = Mnist.labelBytes("train-labels-idx1-ubyte", EXAMPLES);
        for (int i = 0; i < 5; i++) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            MinibatchFile.write(expected, pixels, digits, 64 * i, Math.min(64, EXAMPLES - 64 * i));
            assertArrayEquals(expected.toByteArray(), bytes(fromRaw.batchPaths().get(i)), "bytes of batch " + i);
            if (i < 3) {
                assertArrayEquals(
                        expected.toByteArray(), bytes(fromGz.batchPaths().get(i)), "bytes of batch " + i);
            }
        }
        assertEquals(16 + 250 * 784, Files.size(tmp.resolve("staged-gz").resolve("train-images-idx3-ubyte")));
        assertEquals(8 + 250, Files.size(tmp.resolve("staged-gz").resolve("train-labels-idx1-ubyte")));
    }

    private static byte[] bytes(String uri) {
        try {
            return Files.readAllBytes(Path.of(URI.create(uri)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The header and the first {@value #EXAMPLES} examples of a real MNIST file, with the count patched. */
    private static byte[] head(String name, int headerBytes, int bytesPerExample) throws IOException {
        byte[] all = Files.readAllBytes(Mnist.dir().resolve(name));
        byte[] head = Arrays.copyOf(all, headerBytes + EXAMPLES * bytesPerExample);
        head[4] = 0;
        head[5] = 0;
        head[6] = (byte) (EXAMPLES >> 8);
        head[7] = (byte) EXAMPLES;
        return head;
    }
}
