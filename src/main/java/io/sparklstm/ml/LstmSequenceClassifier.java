package io.sparklstm.ml;

import io.sparklstm.common.EpochStats;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.train.DistributedTrainer;
import io.sparklstm.train.TrainingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Spark ML estimator of the job's network (three LSTM layers over the 28 rows of an image, then a softmax over 10
 * classes), trained by the command-line job's own distributed trainer ({@link DistributedTrainer}: DL4J's parameter
 * averaging over rounds planned from the seed), so that a model fitted here and one trained by {@code sparklstm train}
 * on the same examples with the same settings have the same parameters.
 *
 * <p>{@link #fit} stages the {@code (featuresCol, labelCol)} rows as minibatch files under {@code stagingDir} (one
 * Spark job: executors write their partitions' files), trains {@code maxIter} epochs over them and deletes them. The
 * files keep the rows' order, partition by partition; the trainer shuffles them per epoch from {@code seed}. The
 * staging directory must be visible to every executor: the default is a directory under the user's home of the
 * default FileSystem (HDFS on a cluster), or under {@code java.io.tmpdir} when that FileSystem is local.
 *
 * <p>Params: MLlib's {@code featuresCol}, {@code labelCol} (a number 0-9), {@code predictionCol},
 * {@code probabilityCol}, {@code maxIter} (epochs), {@code stepSize} (Adam's learning rate), {@code blockSize}
 * (minibatch size per worker), {@code seed}, and the job's own training options under their camel-case names
 * ({@code averagingFrequency}, {@code workers}, {@code lrDecay}, {@code dropout}, {@code augmentShift},
 * {@code lstmUnits}, {@code lstmImpl}, {@code prefetchBatches}, {@code lrSchedule}, {@code warmupEpochs},
 * {@code emaEpochs}, {@code gemm}). The model holds the weights the job would publish (with {@code emaEpochs}, their
 * moving average). Defaults, bounds and docs are the options' own; an
 * invalid combination fails {@code fit} with the option's message. The SparkSession must use the job's serializer
 * settings ({@code io.sparklstm.cli.SparkSetup#configure}, or Java serialization).
 */
public final class LstmSequenceClassifier extends Estimator<LstmSequenceClassificationModel>
        implements LstmSequenceParams, DefaultParamsWritable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(LstmSequenceClassifier.class);

    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final IntParam maxIter;
    private final DoubleParam stepSize;
    private final IntParam blockSize;
    private final LongParam seed;
    private final IntParam averagingFrequency;
    private final IntParam workers;
    private final IntParam prefetchBatches;
    private final DoubleParam lrDecay;
    private final DoubleParam dropout;
    private final IntParam augmentShift;
    private final IntParam lstmUnits;
    private final Param<String> lstmImpl;
    private final Param<String> lrSchedule;
    private final DoubleParam warmupEpochs;
    private final DoubleParam emaEpochs;
    private final Param<String> gemm;
    private final Param<String> stagingDir;

    public LstmSequenceClassifier() {
        this(Identifiable$.MODULE$.randomUID("lstmSequenceClassifier"));
    }

    public LstmSequenceClassifier(String uid) {
        this.uid = uid;
        featuresCol = SparkParams.column(this, "featuresCol", "features column name");
        labelCol = SparkParams.column(this, "labelCol", "label column name (a number 0-9)");
        predictionCol = SparkParams.column(this, "predictionCol", "prediction column name");
        probabilityCol = SparkParams.column(this, "probabilityCol", "column name of the class probabilities");
        maxIter = SparkParams.intParam(this, "maxIter", JobParams.EPOCHS);
        stepSize = SparkParams.doubleParam(this, "stepSize", JobParams.LEARNING_RATE);
        blockSize = SparkParams.intParam(this, "blockSize", JobParams.BATCH_SIZE);
        seed = SparkParams.longParam(this, "seed", JobParams.SEED);
        averagingFrequency = SparkParams.intParam(this, "averagingFrequency", JobParams.AVERAGING_FREQUENCY);
        workers = SparkParams.intParam(this, "workers", JobParams.WORKERS);
        prefetchBatches = SparkParams.intParam(this, "prefetchBatches", JobParams.PREFETCH_BATCHES);
        lrDecay = SparkParams.doubleParam(this, "lrDecay", JobParams.LR_DECAY);
        dropout = SparkParams.doubleParam(this, "dropout", JobParams.DROPOUT);
        augmentShift = SparkParams.intParam(this, "augmentShift", JobParams.AUGMENT_SHIFT);
        lstmUnits = SparkParams.intParam(this, "lstmUnits", JobParams.LSTM_UNITS);
        lstmImpl = SparkParams.textParam(this, "lstmImpl", JobParams.LSTM_IMPL);
        lrSchedule = SparkParams.textParam(this, "lrSchedule", JobParams.LR_SCHEDULE);
        warmupEpochs = SparkParams.doubleParam(this, "warmupEpochs", JobParams.WARMUP_EPOCHS);
        emaEpochs = SparkParams.doubleParam(this, "emaEpochs", JobParams.EMA_EPOCHS);
        gemm = SparkParams.textParam(this, "gemm", JobParams.GEMM);
        stagingDir = SparkParams.column(
                this,
                "stagingDir",
                "directory for the staged minibatch files, visible to every executor; empty: a"
                        + " new directory under the default FileSystem's home (or java.io.tmpdir when it is local)");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(stagingDir, "");
        for (Tuple2<Param<?>, io.sparklstm.config.Param<?>> option : options()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) option._1();
            Object value = option._2().defaultValue();
            setDefault(param, value instanceof Enum<?> ? option._2().format(value) : value);
        }
    }

    /** Each training param with the job option it stands for. */
    private List<Tuple2<Param<?>, io.sparklstm.config.Param<?>>> options() {
        return List.of(
                new Tuple2<>(maxIter, JobParams.EPOCHS),
                new Tuple2<>(stepSize, JobParams.LEARNING_RATE),
                new Tuple2<>(blockSize, JobParams.BATCH_SIZE),
                new Tuple2<>(seed, JobParams.SEED),
                new Tuple2<>(averagingFrequency, JobParams.AVERAGING_FREQUENCY),
                new Tuple2<>(workers, JobParams.WORKERS),
                new Tuple2<>(prefetchBatches, JobParams.PREFETCH_BATCHES),
                new Tuple2<>(lrDecay, JobParams.LR_DECAY),
                new Tuple2<>(dropout, JobParams.DROPOUT),
                new Tuple2<>(augmentShift, JobParams.AUGMENT_SHIFT),
                new Tuple2<>(lstmUnits, JobParams.LSTM_UNITS),
                new Tuple2<>(lstmImpl, JobParams.LSTM_IMPL),
                new Tuple2<>(lrSchedule, JobParams.LR_SCHEDULE),
                new Tuple2<>(warmupEpochs, JobParams.WARMUP_EPOCHS),
                new Tuple2<>(emaEpochs, JobParams.EMA_EPOCHS),
                new Tuple2<>(gemm, JobParams.GEMM));
    }

    /**
     * The job configuration these params stand for, checked by the options' own validation (the run id names the
     * estimator).
     */
    public JobConfig jobConfig() {
        JobConfig.Builder builder = JobConfig.builder().set(JobParams.RUN_ID, "ml-" + uid);
        for (Tuple2<Param<?>, io.sparklstm.config.Param<?>> option : options()) {
            builder.setText(
                    option._2().name(),
                    String.valueOf(getOrDefault(option._1())),
                    "param " + option._1().name());
        }
        return builder.build();
    }

    @Override
    public LstmSequenceClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JobConfig config = jobConfig();
        JavaSparkContext sc =
                JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        TrainingSettings settings = TrainingSettings.from(config, sc.defaultParallelism());
        try {
            Path dir = stagingDirectory(sc.hadoopConfiguration());
            FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
            try {
                StagedSplit train = DatasetStager.stage(
                        dataset.select(getFeaturesCol(), getOrDefault(labelCol)),
                        getFeaturesCol(),
                        getOrDefault(labelCol),
                        settings.batchSize(),
                        dir);
                DistributedTrainer trainer =
                        new DistributedTrainer(sc, SeedNetwork.from(config).newNetwork(), settings);
                List<EpochStats> epochs = new ArrayList<>();
                for (int epoch = 1; epoch <= config.get(JobParams.EPOCHS); epoch++) {
                    EpochStats stats = trainer.fitEpoch(epoch, train);
                    epochs.add(stats);
                    log.info(String.format(
                            Locale.ROOT,
                            "%s epoch %d/%d: loss %.4f, %.1f s, %.0f samples/s",
                            uid,
                            epoch,
                            config.get(JobParams.EPOCHS),
                            stats.loss(),
                            stats.seconds(),
                            stats.samplesPerSecond()));
                }
                LstmSequenceClassificationModel model = new LstmSequenceClassificationModel(
                        Identifiable$.MODULE$.randomUID("lstmSequenceModel"), trainer.publishable());
                return copyValues(model, ParamMap.empty()).setParent(this);
            } finally {
                fs.delete(dir, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path stagingDirectory(Configuration hadoop) throws IOException {
        String name = uid + "-" + System.currentTimeMillis();
        if (!getOrDefault(stagingDir).isEmpty()) {
            return new Path(getOrDefault(stagingDir), name);
        }
        FileSystem fs = FileSystem.get(hadoop);
        Path parent =
                fs.getScheme().equals("file") ? new Path(System.getProperty("java.io.tmpdir")) : fs.getHomeDirectory();
        return fs.makeQualified(new Path(parent, ".sparklstm-ml/" + name));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String label = getOrDefault(labelCol);
        if (schema.getFieldIndex(label).isEmpty() || !(schema.apply(label).dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("labelCol '" + label + "': expected a numeric column, found "
                    + (schema.getFieldIndex(label).isEmpty()
                            ? "no such column"
                            : schema.apply(label).dataType().simpleString()));
        }
        return withPredictionColumns(schema);
    }

    @Override
    public LstmSequenceClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    public static MLReader<LstmSequenceClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static LstmSequenceClassifier load(String path) {
        return read().load(path);
    }

    // Params, with MLlib's accessor, getter and setter conventions.

    @Override
    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    @Override
    public Param<String> predictionCol() {
        return predictionCol;
    }

    @Override
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public IntParam maxIter() {
        return maxIter;
    }

    public DoubleParam stepSize() {
        return stepSize;
    }

    @Override
    public IntParam blockSize() {
        return blockSize;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam averagingFrequency() {
        return averagingFrequency;
    }

    public IntParam workers() {
        return workers;
    }

    public IntParam prefetchBatches() {
        return prefetchBatches;
    }

    public DoubleParam lrDecay() {
        return lrDecay;
    }

    public DoubleParam dropout() {
        return dropout;
    }

    public IntParam augmentShift() {
        return augmentShift;
    }

    public IntParam lstmUnits() {
        return lstmUnits;
    }

    public Param<String> lstmImpl() {
        return lstmImpl;
    }

    public Param<String> lrSchedule() {
        return lrSchedule;
    }

    public DoubleParam warmupEpochs() {
        return warmupEpochs;
    }

    public DoubleParam emaEpochs() {
        return emaEpochs;
    }

    public Param<String> gemm() {
        return gemm;
    }

    public Param<String> stagingDir() {
        return stagingDir;
    }

    public LstmSequenceClassifier setFeaturesCol(String value) {
        return with(featuresCol, value);
    }

    public LstmSequenceClassifier setLabelCol(String value) {
        return with(labelCol, value);
    }

    public LstmSequenceClassifier setPredictionCol(String value) {
        return with(predictionCol, value);
    }

    public LstmSequenceClassifier setProbabilityCol(String value) {
        return with(probabilityCol, value);
    }

    public LstmSequenceClassifier setMaxIter(int value) {
        return with(maxIter, value);
    }

    public LstmSequenceClassifier setStepSize(double value) {
        return with(stepSize, value);
    }

    public LstmSequenceClassifier setBlockSize(int value) {
        return with(blockSize, value);
    }

    public LstmSequenceClassifier setSeed(long value) {
        return with(seed, value);
    }

    public LstmSequenceClassifier setAveragingFrequency(int value) {
        return with(averagingFrequency, value);
    }

    public LstmSequenceClassifier setWorkers(int value) {
        return with(workers, value);
    }

    public LstmSequenceClassifier setPrefetchBatches(int value) {
        return with(prefetchBatches, value);
    }

    public LstmSequenceClassifier setLrDecay(double value) {
        return with(lrDecay, value);
    }

    public LstmSequenceClassifier setDropout(double value) {
        return with(dropout, value);
    }

    public LstmSequenceClassifier setAugmentShift(int value) {
        return with(augmentShift, value);
    }

    public LstmSequenceClassifier setLstmUnits(int value) {
        return with(lstmUnits, value);
    }

    /** {@code fast} or {@code stock}. */
    public LstmSequenceClassifier setLstmImpl(String value) {
        return with(lstmImpl, value);
    }

    /** {@code exponential} or {@code cosine}. */
    public LstmSequenceClassifier setLrSchedule(String value) {
        return with(lrSchedule, value);
    }

    public LstmSequenceClassifier setWarmupEpochs(double value) {
        return with(warmupEpochs, value);
    }

    public LstmSequenceClassifier setEmaEpochs(double value) {
        return with(emaEpochs, value);
    }

    /** {@code auto}, {@code fp32}, {@code openblas}, {@code onednn} or {@code bf16}. */
    public LstmSequenceClassifier setGemm(String value) {
        return with(gemm, value);
    }

    public LstmSequenceClassifier setStagingDir(String value) {
        return with(stagingDir, value);
    }

    private <T> LstmSequenceClassifier with(Param<T> param, T value) {
        set(param, value);
        return this;
    }
}
