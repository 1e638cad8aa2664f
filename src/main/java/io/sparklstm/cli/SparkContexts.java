package io.sparklstm.cli;

import org.apache.spark.api.java.JavaSparkContext;

/** Where the CLI gets its Spark context: a new one from spark-submit's settings, or (in tests) a shared one. */
public interface SparkContexts {

    JavaSparkContext open();

    /** Called once the job is done with the context. */
    void close(JavaSparkContext sc);

    /** A context per invocation, stopped afterwards: what spark-submit runs. */
    static SparkContexts perRun() {
        return new SparkContexts() {
            @Override
            public JavaSparkContext open() {
                return SparkSetup.fromSubmit();
            }

            @Override
            public void close(JavaSparkContext sc) {
                sc.stop();
            }
        };
    }
}
