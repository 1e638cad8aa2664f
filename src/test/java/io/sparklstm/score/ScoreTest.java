package io.sparklstm.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.JobRuns;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code score} command on a real Spark context and real MNIST: a trained run's model scores its own test slice
 * to exactly the accuracy its metrics.json records; the Parquet output has one row per image; Parquet input scores as
 * the IDX input does; a bad input or an existing output is refused with exit 2 and nothing written.
 */
class ScoreTest {

    private static final int TEST_LIMIT = 256;

    @TempDir
    static Path tmp;

    static Path store;
    static double recordedAccuracy;
    static String runId = "scored";

    @BeforeAll
    static void train() throws Exception {
        store = tmp.resolve("store");
        int exit = JobRuns.run(JobRuns.smallRunArgs(
                store,
                runId,
                "--test-limit",
                String.valueOf(TEST_LIMIT),
                "--train-limit",
                "2560",
                "--lstm-units",
                "32",
                "--averaging-frequency",
                "2",
                "--min-accuracy",
                "0"));
        assertEquals(0, exit, "trained and promoted to CURRENT");
        recordedAccuracy = new ObjectMapper()
                .readTree(store.resolve("runs/" + runId + "/metrics.json").toFile())
                .path("accuracy")
                .asDouble();
    }

    private static int score(String... args) {
        List<String> all = new ArrayList<>(List.of("score"));
        all.addAll(List.of(args));
        return Main.execute(all.toArray(String[]::new), TestSpark.sharedContexts(), Clock.systemUTC());
    }

    private static SparkSession spark() {
        return SparkSession.builder().sparkContext(TestSpark.context().sc()).getOrCreate();
    }

    @Test
    void scoringTheRunsTestSliceGivesTheAccuracyItsMetricsRecord() throws Exception {
        Path out = tmp.resolve("predictions");
        int exit = score(
                "--store", store.toString(),
                "--model", "current",
                "--input", Mnist.dir().resolve("t10k-images-idx3-ubyte").toString(),
                "--labels", Mnist.dir().resolve("t10k-labels-idx1-ubyte").toString(),
                "--limit", String.valueOf(TEST_LIMIT),
                "--output", out.toString());
        assertEquals(0, exit);
        assertTrue(Files.exists(out.resolve("_SUCCESS")), "written through Spark's committer");
        Dataset<Row> predictions = spark().read().parquet(out.toString());
        assertEquals(List.of("id", "prediction", "probability", "label"), List.of(predictions.columns()));
        List<Row> rows = predictions.orderBy("id").collectAsList();
        assertEquals(TEST_LIMIT, rows.size());
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            assertEquals(i, row.getLong(0), "ids are the row indices");
            List<Double> p = row.getList(2);
            assertEquals(10, p.size());
            assertEquals(1.0, p.stream().mapToDouble(Double::doubleValue).sum(), 1e-5, "probabilities of row " + i);
            int argmax = 0;
            for (int c = 1; c < 10; c++) {
                argmax = p.get(c) > p.get(argmax) ? c : argmax;
            }
            assertEquals(argmax, row.getInt(1), "prediction = argmax of row " + i);
            correct += row.getInt(1) == row.getInt(3) ? 1 : 0;
        }
        assertEquals(recordedAccuracy, (double) correct / TEST_LIMIT, 1e-12, "the run's recorded accuracy");
        String sha = new ObjectMapper()
                .readTree(store.resolve("runs/" + runId + "/provenance.json").toFile())
                .path("modelSha256")
                .asText();
        var metadata = predictions.schema().apply("prediction").metadata();
        assertEquals(runId, metadata.getString("sparklstm.modelRunId"));
        assertEquals(sha, metadata.getString("sparklstm.modelSha256"));
    }

    @Test
    void parquetInputScoresAsTheIdxInputDoes() throws Exception {
        // The first 100 test images as Parquet: an id column and the pixels as an array of floats in [0, 1].
        byte[] pixels = Mnist.imageBytes("t10k-images-idx3-ubyte", 100);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<Float> image = new ArrayList<>();
            for (int k = 0; k < 784; k++) {
                image.add((pixels[i * 784 + k] & 0xFF) / 255f);
            }
            rows.add(RowFactory.create(1000L + i, image));
        }
        StructType schema = new StructType()
                .add("key", DataTypes.LongType)
                .add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
        Path input = tmp.resolve("images.parquet");
        spark().createDataFrame(rows, schema).repartition(3).write().parquet(input.toString());

        Path fromParquet = tmp.resolve("from-parquet");
        Path fromIdx = tmp.resolve("from-idx");
        assertEquals(
                0,
                score(
                        "--store",
                        store.toString(),
                        "--model",
                        runId,
                        "--input",
                        input.toString(),
                        "--image-column",
                        "pixels",
                        "--id-column",
                        "key",
                        "--output",
                        fromParquet.toString()));
        assertEquals(
                0,
                score(
                        "--store",
                        store.toString(),
                        "--model",
                        runId,
                        "--input",
                        Mnist.dir().resolve("t10k-images-idx3-ubyte").toString(),
                        "--limit",
                        "100",
                        "--output",
                        fromIdx.toString()));
        Map<Long, Integer> idx = new HashMap<>();
        for (Row r : spark().read().parquet(fromIdx.toString()).collectAsList()) {
            idx.put(r.getLong(0), r.getInt(1));
        }
        List<Row> parquet = spark().read().parquet(fromParquet.toString()).collectAsList();
        assertEquals(100, parquet.size());
        for (Row r : parquet) {
            assertEquals(idx.get(r.getLong(0) - 1000), r.getInt(1), "prediction of id " + r.getLong(0));
        }
    }

    @Test
    void badInputIsRefusedWithExit2AndNothingWritten() throws Exception {
        Path out = tmp.resolve("refused");
        String images = Mnist.dir().resolve("t10k-images-idx3-ubyte").toString();
        assertEquals(
                2,
                score(
                        "--store",
                        store.toString(),
                        "--input",
                        tmp.resolve("none").toString(),
                        "--output",
                        out.toString()),
                "missing input");
        assertEquals(
                2,
                score(
                        "--store",
                        store.toString(),
                        "--model",
                        "no-such-run",
                        "--input",
                        images,
                        "--output",
                        out.toString()),
                "unknown model");
        assertEquals(2, score("--input", images, "--output", out.toString()), "current without --store");
        assertEquals(
                2,
                score("--store", store.toString(), "--input", images, "--output", out.toString(), "--batch-size", "0"),
                "batch size out of range");
        assertEquals(
                2,
                score(
                        "--store",
                        store.toString(),
                        "--input",
                        Mnist.dir().resolve("t10k-labels-idx1-ubyte").toString(),
                        "--output",
                        out.toString()),
                "a label file as images");
        // Parquet with an image of 783 values.
        Path shortImage = tmp.resolve("short.parquet");
        List<Float> pixels = new ArrayList<>();
        for (int k = 0; k < 783; k++) {
            pixels.add(0f);
        }
        spark().createDataFrame(
                        List.of(RowFactory.create(pixels)),
                        new StructType().add("image", DataTypes.createArrayType(DataTypes.FloatType)))
                .write()
                .parquet(shortImage.toString());
        assertEquals(
                2,
                score("--store", store.toString(), "--input", shortImage.toString(), "--output", out.toString()),
                "an image of 783 values");
        assertFalse(Files.exists(out), "nothing written");

        // An existing output: refused, then replaced with --overwrite.
        assertEquals(
                0, score("--store", store.toString(), "--input", images, "--limit", "10", "--output", out.toString()));
        long before = Files.getLastModifiedTime(out.resolve("_SUCCESS")).toMillis();
        assertEquals(
                2,
                score("--store", store.toString(), "--input", images, "--limit", "20", "--output", out.toString()),
                "exists");
        assertEquals(before, Files.getLastModifiedTime(out.resolve("_SUCCESS")).toMillis(), "left as it was");
        assertEquals(10, spark().read().parquet(out.toString()).count());
        assertEquals(
                0,
                score(
                        "--store",
                        store.toString(),
                        "--input",
                        images,
                        "--limit",
                        "20",
                        "--output",
                        out.toString(),
                        "--overwrite"));
        assertEquals(20, spark().read().parquet(out.toString()).count());
    }
}
