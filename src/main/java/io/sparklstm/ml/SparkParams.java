package io.sparklstm.ml;

import io.sparklstm.config.InvalidOptionException;
import io.sparklstm.config.Param;
import java.io.Serializable;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.util.Identifiable;
import scala.Function1;

/**
 * Spark ML params made from the job's own option declarations ({@link io.sparklstm.config.JobParams}), so that an
 * option is declared once: the Spark param takes the option's description as its doc and the option's bounds as its
 * validator. MLlib's conventional names ({@code maxIter}, {@code stepSize}, {@code blockSize}, {@code seed}) stand for
 * the job's {@code epochs}, {@code learning-rate}, {@code batch-size} and {@code seed}; the others are the option's
 * name in camel case.
 */
final class SparkParams {

    private SparkParams() {}

    static IntParam intParam(Identifiable owner, String name, Param<Integer> option) {
        return new IntParam(owner, name, doc(option), validator(option));
    }

    static DoubleParam doubleParam(Identifiable owner, String name, Param<Double> option) {
        return new DoubleParam(owner, name, doc(option), validator(option));
    }

    static LongParam longParam(Identifiable owner, String name, Param<Long> option) {
        return new LongParam(owner, name, doc(option), validator(option));
    }

    /** A text param whose value the option parses (e.g. an enum's lower-case name). */
    static org.apache.spark.ml.param.Param<String> textParam(Identifiable owner, String name, Param<?> option) {
        return new org.apache.spark.ml.param.Param<>(owner, name, doc(option), validator(option));
    }

    /** A column-name param. */
    static org.apache.spark.ml.param.Param<String> column(Identifiable owner, String name, String doc) {
        return new org.apache.spark.ml.param.Param<>(owner, name, doc);
    }

    private static String doc(Param<?> option) {
        return option.description() + " Expected: " + option.expected() + ". (Option --" + option.name() + ".)";
    }

    /** Accepts a value when the option's own parser accepts its text. */
    private static <V> Function1<V, Object> validator(Param<?> option) {
        return (Function1<V, Object> & Serializable) value -> {
            try {
                option.parse(String.valueOf(value), null);
                return true;
            } catch (InvalidOptionException e) {
                return false;
            }
        };
    }
}
