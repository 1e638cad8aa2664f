package io.sparklstm;

import io.sparklstm.cli.SparkContexts;
import io.sparklstm.cli.SparkSetup;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One real Spark context, {@code local[2,4]} (two cores, a failed task tried up to four times, as on a cluster) with the job's own settings (Kryo, ND4J registrator), shared by every test
 * in the JVM: Spark allows one active context per JVM and starting one costs seconds.
 */
public final class TestSpark {

    private static JavaSparkContext context;

    private TestSpark() {}

    public static synchronized JavaSparkContext context() {
        if (context == null) {
            context = new JavaSparkContext(SparkSetup.configure(new SparkConf()
                    .setMaster("local[2,4]")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")));
            Runtime.getRuntime().addShutdownHook(new Thread(context::stop));
        }
        return context;
    }

    /** Hands the CLI the shared context and keeps it running afterwards. */
    public static SparkContexts sharedContexts() {
        return new SparkContexts() {
            @Override
            public JavaSparkContext open() {
                return context();
            }

            @Override
            public void close(JavaSparkContext sc) {}
        };
    }
}
