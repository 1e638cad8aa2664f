package io.sparklstm.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.config.JobConfig;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.BroadcastModel;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML API on real MNIST slices and a real Spark context: fit() is the command-line job's trainer, the
 * fitted model works as a Pipeline stage beside another stage, and a saved PipelineModel loads back to identical
 * predictions.
 */
class LstmSequenceClassifierTest {

    private static final int TRAIN = 1024;
    private static final int TEST = 300;

    @TempDir
    static Path tmp;

    private static PipelineModel fitted;

    private static SparkSession spark() {
        return SparkSession.builder().sparkContext(TestSpark.context().sc()).getOrCreate();
    }

    /** The first {@code n} images of an MNIST file: id, image (784 floats in [0, 1]) and digit. */
    static Dataset<Row> images(String prefix, int n, boolean asVector) {
        byte[] pixels = Mnist.imageBytes(prefix + "-images-idx3-ubyte", n);
        byte[] labels = Mnist.labelBytes(prefix + "-labels-idx1-ubyte", n);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] image = new float[784];
            double[] vector = new double[784];
            for (int p = 0; p < 784; p++) {
                image[p] = (pixels[i * 784 + p] & 0xFF) / 255f;
                vector[p] = image[p];
            }
            Object features = asVector ? Vectors.dense(vector) : boxed(image);
            rows.add(RowFactory.create((long) i, features, (int) labels[i]));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.LongType)
                .add(
                        "image",
                        asVector ? SQLDataTypes.VectorType() : DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("digit", DataTypes.IntegerType);
        return spark().createDataFrame(rows, schema).coalesce(1);
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return list;
    }

    private static LstmSequenceClassifier smallClassifier() {
        return new LstmSequenceClassifier()
                .setFeaturesCol("image")
                .setLstmUnits(32)
                .setBlockSize(32)
                .setAveragingFrequency(4)
                .setWorkers(2)
                .setMaxIter(2)
                .setStepSize(0.005)
                .setAugmentShift(0)
                .setSeed(7);
    }

    @BeforeAll
    static void fitPipeline() {
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new SQLTransformer().setStatement("SELECT *, CAST(digit AS DOUBLE) AS label FROM __THIS__"),
            smallClassifier()
        });
        fitted = pipeline.fit(images("train", TRAIN, false));
    }

    @Test
    void fitTrainsWithTheCommandLineJobsTrainer() {
        LstmSequenceClassifier classifier = smallClassifier().setLabelCol("digit");
        MultiLayerNetwork viaEstimator =
                classifier.fit(images("train", 640, false)).network();

        JavaSparkContext sc = TestSpark.context();
        JobConfig config = classifier.jobConfig();
        StagedSplit staged = Mnist.stageTrain(sc, tmp.resolve("staged"), 640, 32);
        DistributedTrainer trainer = new DistributedTrainer(
                sc, SeedNetwork.from(config).newNetwork(), TrainingSettings.from(config, sc.defaultParallelism()));
        trainer.fitEpoch(1, staged);
        trainer.fitEpoch(2, staged);

        assertEquals(trainer.network().getIterationCount(), viaEstimator.getIterationCount());
        double difference = trainer.publishable()
                .params()
                .sub(viaEstimator.params())
                .amaxNumber()
                .doubleValue();
        assertEquals(0.0, difference, 1e-6, "largest parameter difference, estimator against the job's trainer");
    }

    @Test
    void fittedModelPredictsAsAPipelineStage() {
        Dataset<Row> scored = fitted.transform(images("t10k", TEST, false));
        assertEquals(List.of("id", "image", "digit", "label", "prediction", "probability"), List.of(scored.columns()));
        double accuracy = new MulticlassClassificationEvaluator()
                .setMetricName("accuracy")
                .evaluate(scored);
        assertTrue(accuracy > 0.3, "two small epochs on 1,024 images learn well beyond chance (0.1); got " + accuracy);
        for (Row row : scored.select("probability").collectAsList()) {
            Vector p = row.getAs(0);
            double sum = 0;
            for (double v : p.toArray()) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-4);
        }
    }

    @Test
    void savedPipelineLoadsToIdenticalPredictions() throws Exception {
        Path dir = tmp.resolve("pipeline");
        fitted.write().save(dir.toString());
        PipelineModel loaded = PipelineModel.load(dir.toString());

        Dataset<Row> test = images("t10k", TEST, false);
        List<Row> before = fitted.transform(test)
                .select("id", "prediction", "probability")
                .orderBy("id")
                .collectAsList();
        List<Row> after = loaded.transform(test)
                .select("id", "prediction", "probability")
                .orderBy("id")
                .collectAsList();
        assertEquals(TEST, after.size());
        for (int i = 0; i < TEST; i++) {
            assertEquals(before.get(i).getDouble(1), after.get(i).getDouble(1));
            assertArrayEquals(
                    ((Vector) before.get(i).getAs(2)).toArray(),
                    ((Vector) after.get(i).getAs(2)).toArray());
        }

        // MLlib's layout: metadata JSON (class, uid, Spark version, params) beside the model file.
        LstmSequenceClassificationModel model = (LstmSequenceClassificationModel) fitted.stages()[1];
        Path stage = dir.resolve("stages").resolve("1_" + model.uid());
        String metadata = Files.readString(stage.resolve("metadata").resolve("part-00000"));
        for (String expected : new String[] {
            "\"class\":\"io.sparklstm.ml.LstmSequenceClassificationModel\"",
            "\"uid\":\"" + model.uid() + "\"",
            "\"sparkVersion\":\"3.5.5\"",
            "\"featuresCol\":\"image\"",
            "\"modelSha256\":"
        }) {
            assertTrue(metadata.contains(expected), expected + " in " + metadata);
        }
        assertTrue(Files.size(stage.resolve("data").resolve("model.zip")) > 10_000);

        // MLlib's writers refuse to overwrite without being asked to.
        assertThrows(Exception.class, () -> fitted.write().save(dir.toString()));
        fitted.write().overwrite().save(dir.toString());

        // A model file that is not the one the metadata recorded (here: a valid but untrained one) is refused.
        Path data = stage.resolve("data");
        Files.write(
                data.resolve("model.zip"),
                BroadcastModel.serialize(
                        SeedNetwork.from(smallClassifier().jobConfig()).newNetwork()));
        Files.deleteIfExists(data.resolve(".model.zip.crc"));
        Exception refused = assertThrows(Exception.class, () -> PipelineModel.load(dir.toString()));
        assertTrue(String.valueOf(rootCause(refused).getMessage()).contains("SHA-256"), refused.toString());
    }

    @Test
    void vectorAndArrayFeaturesPredictAlike() {
        LstmSequenceClassificationModel model = (LstmSequenceClassificationModel) fitted.stages()[1];
        List<Row> fromArrays =
                model.transform(images("t10k", 100, false)).select("prediction").collectAsList();
        List<Row> fromVectors =
                model.transform(images("t10k", 100, true)).select("prediction").collectAsList();
        assertEquals(fromArrays, fromVectors);
    }

    @Test
    void badColumnsAndParamsAreRefusedByName() {
        LstmSequenceClassificationModel model = (LstmSequenceClassificationModel) fitted.stages()[1];
        Dataset<Row> test = images("t10k", 10, false);

        IllegalArgumentException wrongType =
                assertThrows(IllegalArgumentException.class, () -> model.copy(new org.apache.spark.ml.param.ParamMap())
                        .setFeaturesCol("digit")
                        .transform(test));
        assertTrue(wrongType.getMessage().contains("featuresCol 'digit': expected a Vector of 784 values"));

        Dataset<Row> short783 = test.selectExpr("id", "slice(image, 1, 783) AS image");
        SparkException wrongLength = assertThrows(
                SparkException.class, () -> model.transform(short783).count());
        assertTrue(rootCause(wrongLength).getMessage().contains("expected 784 values per row, found 783"));

        IllegalArgumentException noLabel = assertThrows(
                IllegalArgumentException.class, () -> smallClassifier().fit(test.drop("digit")));
        assertTrue(noLabel.getMessage().contains("labelCol 'label'"), noLabel.getMessage());

        IllegalArgumentException epochs =
                assertThrows(IllegalArgumentException.class, () -> new LstmSequenceClassifier().setMaxIter(0));
        assertTrue(epochs.getMessage().contains("maxIter"), epochs.getMessage());
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
