package io.sparklstm.ml;

import io.sparklstm.cli.SparkSetup;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Trains the network inside a Spark ML Pipeline, scores held-out images, saves the fitted pipeline and loads it back.
 * Arguments: training Parquet, test Parquet (columns {@code image}: 784 floats in [0, 1], row-major; {@code digit}:
 * int), the directory to save the pipeline to, and the epochs.
 */
public final class PipelineExample {

    public static void main(String[] args) throws java.io.IOException {
        SparkSession spark = SparkSession.builder()
                .config(SparkSetup.configure(new SparkConf())) // Kryo with ND4J's registrator
                .getOrCreate();
        Dataset<Row> train = spark.read().parquet(args[0]);
        Dataset<Row> test = spark.read().parquet(args[1]);

        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new SQLTransformer().setStatement("SELECT *, CAST(digit AS DOUBLE) AS label FROM __THIS__"),
            new LstmSequenceClassifier()
                    .setFeaturesCol("image")
                    .setMaxIter(Integer.parseInt(args[3]))
                    .setStepSize(0.002)
                    .setBlockSize(64)
                    .setSeed(42)
        });
        PipelineModel model = pipeline.fit(train);

        Dataset<Row> scored = model.transform(test);
        double accuracy = new MulticlassClassificationEvaluator()
                .setMetricName("accuracy")
                .evaluate(scored);
        System.out.printf("test accuracy %.4f%n", accuracy);

        model.write().overwrite().save(args[2]);
        PipelineModel reloaded = PipelineModel.load(args[2]);
        reloaded.transform(test).select("prediction", "probability").show(3, false);
    }
}
