package io.sparklstm.ml;

import io.sparklstm.model.BroadcastModel;
import io.sparklstm.store.ModelSource;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The fitted network as a Spark ML {@code Transformer}: {@link #transform} appends {@code predictionCol} (the class,
 * a double) and {@code probabilityCol} (a Vector of 10) to every row, predicting on the executors in minibatches of
 * {@code blockSize} with the network broadcast once per model.
 *
 * <p>Persistence follows MLlib's layout: {@code metadata/} holds the JSON of class, uid, timestamp, Spark version
 * and params (plus {@code modelSha256}), {@code data/model.zip} the network (DL4J's {@code ModelSerializer} format,
 * readable with {@code ModelSerializer.restoreMultiLayerNetwork}). {@link #read()} checks the file's SHA-256 against
 * the metadata before reading it, through the same safe reader as every other model of the job.
 */
public final class LstmSequenceClassificationModel extends Model<LstmSequenceClassificationModel>
        implements LstmSequenceParams, MLWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final transient MultiLayerNetwork network;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final IntParam blockSize;
    private transient BroadcastModel broadcast;

    LstmSequenceClassificationModel(String uid, MultiLayerNetwork network) {
        this.uid = uid;
        this.network = network;
        featuresCol = SparkParams.column(this, "featuresCol", "features column name");
        predictionCol = SparkParams.column(this, "predictionCol", "prediction column name");
        probabilityCol = SparkParams.column(this, "probabilityCol", "column name of the class probabilities");
        blockSize = new IntParam(this, "blockSize", "images per minibatch of prediction");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(blockSize, 256);
    }

    /**
     * A model of the job's store: {@code model} is {@code current}, a run id of the store at {@code storeUri}, or a
     * model.zip URI (then {@code storeUri} may be null). Its features are pixels scaled to [0, 1], as the job trained
     * it.
     */
    public static LstmSequenceClassificationModel fromStore(SparkSession spark, String storeUri, String model)
            throws IOException {
        var hadoop = spark.sparkContext().hadoopConfiguration();
        RunStore store = storeUri == null ? null : RunStore.at(storeUri, hadoop);
        ModelSource source = ModelSource.resolve(model, "model", store, hadoop);
        return new LstmSequenceClassificationModel(
                Identifiable$.MODULE$.randomUID("lstmSequenceModel"), source.network());
    }

    /** The DL4J network, e.g. to save it with {@code ModelSerializer} or to predict in a single JVM. */
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema());
        JavaRDD<Row> rows = dataset.toDF()
                .javaRDD()
                .mapPartitions(new PredictFunction(
                        broadcast(dataset.sparkSession()),
                        dataset.schema().fieldIndex(getFeaturesCol()),
                        getFeaturesCol(),
                        getBlockSize()));
        return dataset.sparkSession().createDataFrame(rows, schema);
    }

    /** One broadcast per model, reused by every transform (Spark's cleaner releases it with the model). */
    private synchronized BroadcastModel broadcast(SparkSession spark) {
        if (broadcast == null) {
            broadcast = BroadcastModel.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), network);
        }
        return broadcast;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return withPredictionColumns(schema);
    }

    @Override
    public LstmSequenceClassificationModel copy(ParamMap extra) {
        LstmSequenceClassificationModel copy = new LstmSequenceClassificationModel(uid, network);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public MLWriter write() {
        return new ModelWriter(this);
    }

    public static MLReader<LstmSequenceClassificationModel> read() {
        return new ModelReader();
    }

    public static LstmSequenceClassificationModel load(String path) {
        return read().load(path);
    }

    @Override
    public Param<String> featuresCol() {
        return featuresCol;
    }

    @Override
    public Param<String> predictionCol() {
        return predictionCol;
    }

    @Override
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    @Override
    public IntParam blockSize() {
        return blockSize;
    }

    public LstmSequenceClassificationModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public LstmSequenceClassificationModel setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    public LstmSequenceClassificationModel setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public LstmSequenceClassificationModel setBlockSize(int value) {
        set(blockSize, value);
        return this;
    }
}
