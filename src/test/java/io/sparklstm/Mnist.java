package io.sparklstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.config.GemmMode;
import io.sparklstm.data.MinibatchFile;
import io.sparklstm.data.MinibatchStager;
import io.sparklstm.data.Minibatches;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.fastlstm.GemmSelection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** The real MNIST files fetched by {@code data/fetch-mnist.sh} (CI runs it before the tests). */
public final class Mnist {

    public static final Path DIR = Path.of("data", "mnist").toAbsolutePath();

    private Mnist() {}

    /** The data directory, after checking that MNIST has been fetched. */
    public static Path dir() {
        assertTrue(
                Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte")),
                "MNIST is missing in " + DIR + ": run data/fetch-mnist.sh");
        return DIR;
    }

    /** The pixel bytes of the first {@code examples} images of an MNIST image file, e.g. "t10k-images-idx3-ubyte". */
    public static byte[] imageBytes(String file, int examples) {
        return payload(file, 16, examples * 28 * 28);
    }

    /** The label bytes of the first {@code examples} examples of an MNIST label file. */
    public static byte[] labelBytes(String file, int examples) {
        return payload(file, 8, examples);
    }

    private static byte[] payload(String file, int header, int length) {
        try (InputStream in = Files.newInputStream(dir().resolve(file))) {
            in.skipNBytes(header);
            return in.readNBytes(length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code examples} training images staged as minibatch files of {@code batchSize} under {@code dir}. */
    public static StagedSplit stageTrain(JavaSparkContext sc, Path dir, int examples, int batchSize) {
        try {
            MnistInputs mnist = MnistInputs.inspect(dir().toString(), sc.hadoopConfiguration());
            return new MinibatchStager(sc, FileSystem.getLocal(sc.hadoopConfiguration()))
                    .stage(mnist.train(), examples, batchSize, new org.apache.hadoop.fs.Path(dir.toUri()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A staged minibatch file, given by its local {@code file:} URI, as the DataSet the workers load. */
    public static DataSet loadBatch(String uri) {
        try (InputStream in = Files.newInputStream(Path.of(URI.create(uri)))) {
            return MinibatchFile.read(in, uri).toDataSet();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Accuracy of {@code model} on the first {@code limit} examples of the t10k files (the job's --test-limit),
     * computed with oneDNN's FP32 products ({@code --gemm onednn}; the mode returns to {@code auto} afterwards). A job
     * run with {@code --gemm onednn}, in this JVM or another, recorded exactly this figure; under {@code auto} each
     * JVM times the engines itself, and on a CPU with BF16 products a close call can differ between two JVMs.
     */
    public static double testAccuracy(MultiLayerNetwork model, int limit) throws IOException {
        GemmSelection.select(GemmMode.ONEDNN, 1);
        try {
            return accuracy(model, limit);
        } finally {
            GemmSelection.select(GemmMode.AUTO, 1);
        }
    }

    private static double accuracy(MultiLayerNetwork model, int limit) throws IOException {
        Path mnist = dir();
        byte[] images = Files.readAllBytes(mnist.resolve("t10k-images-idx3-ubyte"));
        byte[] labels = Files.readAllBytes(mnist.resolve("t10k-labels-idx1-ubyte"));
        byte[] pixels = java.util.Arrays.copyOfRange(images, 16, 16 + limit * 28 * 28);
        byte[] classes = java.util.Arrays.copyOfRange(labels, 8, 8 + limit);
        int correct = 0;
        for (int first = 0; first < limit; first += 250) {
            int n = Math.min(250, limit - first);
            DataSet batch = Minibatches.of(pixels, classes, first, n);
            INDArray predicted = model.output(batch.getFeatures(), false).argMax(1);
            INDArray actual = batch.getLabels().argMax(1);
            for (int i = 0; i < n; i++) {
                if (predicted.getLong(i) == actual.getLong(i)) {
                    correct++;
                }
            }
        }
        return (double) correct / limit;
    }
}
