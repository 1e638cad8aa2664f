package io.sparklstm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.cli.Main;
import io.sparklstm.config.GemmMode;
import io.sparklstm.config.JobConfig;
import io.sparklstm.data.Minibatches;
import io.sparklstm.model.fastlstm.GemmSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The whole pipeline on a real MNIST slice in Spark local[2]: it learns (accuracy far above the 10% of chance on test
 * examples it never saw), publishes a complete run, and the stored model reproduces the recorded accuracy.
 */
class TrainingJobTest {

    private static final int TRAIN = 3000;
    private static final int TEST = 1000;

    @TempDir
    static Path store;

    private static TrainingJob.Result result;

    @BeforeAll
    static void train() throws IOException {
        JobConfig config = Main.parse(
                "--data",
                Mnist.dir().toString(),
                "--output",
                store.toString(),
                "--run-id",
                "learning",
                "--epochs",
                "2",
                "--train-limit",
                "" + TRAIN,
                "--test-limit",
                "" + TEST,
                "--averaging-frequency",
                "5",
                "--evaluate-each-epoch",
                // storedModelReproducesTheRecordedAccuracy evaluates in other shapes: one FP32 engine for all of
                // them (under auto a BF16 CPU may compute some shapes in BF16 and flip a close prediction)
                "--gemm",
                "onednn");
        result = new TrainingJob(config, TestSpark.context()).run();
    }

    @Test
    void learnsFarAboveChanceOnUnseenExamples() {
        assertTrue(
                result.metrics().accuracy() > 0.5,
                "accuracy " + result.metrics().accuracy());
        assertEquals(2, result.metrics().epochs().size());
        assertTrue(
                result.metrics().epochs().get(1).loss()
                        < result.metrics().epochs().get(0).loss(),
                "loss decreases: " + result.metrics().epochs());
        assertEquals(2, result.metrics().workers());
        // --evaluate-each-epoch: every epoch measured, the last one is the published model's accuracy.
        assertTrue(result.metrics().epochs().get(0).testAccuracy() > 0.1);
        assertEquals(
                result.metrics().accuracy(), result.metrics().epochs().get(1).testAccuracy());
    }

    @Test
    void publishesACompleteRunAndCleansUp() throws IOException {
        Path run = store.resolve("runs").resolve("learning");
        for (String file : new String[] {"model.zip", "metrics.json", "config.json", "_SUCCESS"}) {
            assertTrue(Files.isRegularFile(run.resolve(file)), file);
        }
        assertFalse(Files.exists(store.resolve("_work")), "scratch space removed");

        JsonNode metrics =
                new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertEquals(TRAIN, metrics.get("trainExamples").asInt());
        assertEquals(TEST, metrics.get("testExamples").asInt());
        assertEquals(10, metrics.get("confusionMatrix").size());
        long total = 0;
        for (JsonNode row : metrics.get("confusionMatrix")) {
            assertEquals(10, row.size());
            for (JsonNode cell : row) {
                assertTrue(cell.isIntegralNumber());
                total += cell.asLong();
            }
        }
        assertEquals(TEST, total);
        assertTrue(metrics.get("macroF1").asDouble() > 0.4);
        JsonNode epoch = metrics.get("epochs").get(0);
        for (String key : new String[] {"epoch", "loss", "seconds", "samplesPerSecond"}) {
            assertTrue(epoch.has(key), key);
        }
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals(2, config.get("workers").asInt(), "effective worker count recorded");
        assertEquals(64, config.get("batch-size").asInt());
    }

    @Test
    void storedModelReproducesTheRecordedAccuracy() throws IOException {
        MultiLayerNetwork model = ModelSerializer.restoreMultiLayerNetwork(
                store.resolve("runs/learning/model.zip").toFile(), false);
        DataSet test = testSlice();
        GemmSelection.select(GemmMode.ONEDNN, 1); // as the job ran
        INDArray predicted = model.output(test.getFeatures()).argMax(1);
        INDArray actual = test.getLabels().argMax(1);
        double accuracy = predicted
                        .eq(actual)
                        .castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                        .sumNumber()
                        .doubleValue()
                / TEST;
        assertEquals(result.metrics().accuracy(), accuracy, 1e-9);
    }

    /** The first {@value #TEST} test examples, decoded directly from the IDX files. */
    private static DataSet testSlice() {
        return Minibatches.of(
                Mnist.imageBytes("t10k-images-idx3-ubyte", TEST),
                Mnist.labelBytes("t10k-labels-idx1-ubyte", TEST),
                0,
                TEST);
    }
}
