package io.sparklstm.score;

import io.sparklstm.common.BadInputException;
import io.sparklstm.model.BroadcastModel;
import io.sparklstm.store.ModelSource;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batch scoring with a trained model on Spark: checks the request (the output must not exist without overwrite; the
 * input, labels and model must resolve), broadcasts the model once, scores the images on the executors in
 * minibatches ({@link ScoreFunction}) and writes Parquet through Spark's DataFrameWriter (its committer writes
 * {@code _SUCCESS}), one row per image: {@code id}, {@code prediction}, {@code probability} (10 doubles) and, with
 * labels, {@code label}. The model's run id and SHA-256 are in the {@code prediction} column's metadata.
 */
public final class ScoreJob {

    private static final Logger log = LoggerFactory.getLogger(ScoreJob.class);

    /**
     * What a scoring run did; {@code accuracy} is null without labels, {@code seconds} is the wall time from reading
     * the model to the last row written.
     */
    public record Result(
            long images, Double accuracy, String model, String modelSha256, String output, double seconds) {

        public double imagesPerSecond() {
            return images / seconds;
        }
    }

    private final ScoreRequest request;
    private final JavaSparkContext sc;

    public ScoreJob(ScoreRequest request, JavaSparkContext sc) {
        this.request = request;
        this.sc = sc;
    }

    public Result run() throws IOException {
        Configuration hadoop = sc.hadoopConfiguration();
        Path output = new Path(request.output());
        FileSystem outFs = output.getFileSystem(hadoop);
        if (outFs.exists(output) && !request.overwrite()) {
            throw new BadInputException("--output " + request.output() + " exists; pass --overwrite to replace it");
        }
        int[] labels = request.labels() == null ? null : ImageSource.labels(request.labels(), request.limit(), hadoop);
        JavaRDD<ImageBlock> images = ImageSource.read(request, sc, labels);
        long started = System.nanoTime();
        ModelSource model = model(hadoop);
        log.info("Scoring {} with model {} (SHA-256 {})", request.input(), model.description(), model.sha256());

        BroadcastModel broadcast = BroadcastModel.of(sc, model.network());
        try {
            JavaRDD<Row> rows = images.mapPartitions(new ScoreFunction(broadcast, request.batchSize(), labels != null));
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            Dataset<Row> scored =
                    spark.createDataFrame(rows, schema(model, labels != null)).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                scored.write()
                        .mode(request.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                        .parquet(request.output());
                long count = scored.count();
                Double accuracy = labels == null
                        ? null
                        : (double) scored.filter(functions.col("prediction").equalTo(functions.col("label")))
                                        .count()
                                / count;
                return new Result(
                        count,
                        accuracy,
                        model.description(),
                        model.sha256(),
                        request.output(),
                        (System.nanoTime() - started) / 1e9);
            } finally {
                scored.unpersist();
            }
        } finally {
            broadcast.destroy();
        }
    }

    private ModelSource model(Configuration hadoop) throws IOException {
        if (request.store() == null
                && (request.model().equals("current") || !request.model().contains("/"))) {
            throw new BadInputException(
                    "--model " + request.model() + ": naming a model by 'current' or a run id needs --store");
        }
        RunStore store = RunStore.at(request.store() == null ? request.output() : request.store(), hadoop);
        return ModelSource.resolve(request.model(), "--model", store, hadoop);
    }

    private static StructType schema(ModelSource model, boolean withLabels) {
        Metadata provenance = new MetadataBuilder()
                .putString("sparklstm.model", model.description())
                .putString("sparklstm.modelRunId", model.runId() == null ? "" : model.runId())
                .putString("sparklstm.modelSha256", model.sha256())
                .build();
        StructType schema = new StructType(new StructField[] {
            new StructField("id", DataTypes.LongType, false, Metadata.empty()),
            new StructField("prediction", DataTypes.IntegerType, false, provenance),
            new StructField(
                    "probability", DataTypes.createArrayType(DataTypes.DoubleType, false), false, Metadata.empty())
        });
        return withLabels ? schema.add("label", DataTypes.IntegerType, false) : schema;
    }
}
