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
     * Kryo with the job's registrator (DL4J's, with ND4J arrays in bulk): parameters in broadcasts and task results.
     * The job's metrics plugin ({@link MetricsPlugin}) is added to any plugins already configured.
     */
    public static SparkConf configure(SparkConf conf) {
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
