package io.sparklstm.cli;

import io.sparklstm.observe.MetricsPlugin;
import io.sparklstm.train.BulkNd4jKryoRegistrator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark settings the job cannot run without, applied by the job itself so that no submission can forget them.
 * Everything else (master, resources, deploy mode) is spark-submit's business; nothing here picks a master.
 */
public final class SparkSetup {

    public static final String APP_NAME = "sparklstm";

    private SparkSetup() {}

    /**
     * Task results up to this size go straight back to the driver with the task's status message; Spark's default
     * (1 MiB) sends every averaging round's result (parameters and Adam state, 4 MiB for the default network) through
     * the executor's block manager instead, which the driver then fetches and deletes in two more round trips. Measured
     * on Spark local[1] (issue 14, 2026-12-03): 24-26 ms of each round's job outside its task against 35-45 ms, about
     * 2 % of the training time. Spark caps it at {@code spark.rpc.message.maxSize} (128 MiB by default).
     */
    static final String DIRECT_RESULT_SIZE = "64m";

    /**
     * Kryo with the job's registrator (DL4J's, with ND4J arrays in bulk): parameters in broadcasts and task results.
     * The job's metrics plugin ({@link MetricsPlugin}) is added to any plugins already configured. Task results of up
     * to {@link #DIRECT_RESULT_SIZE} return directly, unless {@code spark.task.maxDirectResultSize} is set.
     */
    public static SparkConf configure(SparkConf conf) {
        conf.setIfMissing("spark.task.maxDirectResultSize", DIRECT_RESULT_SIZE);
        String plugins = conf.get("spark.plugins", "");
        if (!plugins.contains(MetricsPlugin.class.getName())) {
            conf.set(
                    "spark.plugins",
                    plugins.isBlank() ? MetricsPlugin.class.getName() : plugins + "," + MetricsPlugin.class.getName());
        }
        return conf.setAppName(conf.get("spark.app.name", APP_NAME))
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", BulkNd4jKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true");
    }

    /** A context for the master and settings spark-submit passed in (system properties {@code spark.*}). */
    public static JavaSparkContext fromSubmit() {
        return new JavaSparkContext(configure(new SparkConf()));
    }
}
