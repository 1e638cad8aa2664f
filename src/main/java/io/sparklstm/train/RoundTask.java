package io.sparklstm.train;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction2;

/**
 * The executor's side of one averaging round: dl4j-spark's worker function over the task's minibatch paths, whose
 * one result (parameters, Adam state, score) it returns. For a task without paths that result has no parameters
 * ({@link RoundSum} skips it); null only if the function returns no result at all.
 *
 * <p>A named class rather than a lambda on purpose: Spark's {@code ClosureCleaner} returns at once for it, where a
 * lambda (or an RDD operation built from lambdas) has the class that declares it read and parsed again on every
 * call. See {@link PlannedRoundsTrainingMaster}.
 */
final class RoundTask
        extends AbstractFunction2<TaskContext, scala.collection.Iterator<String>, ParameterAveragingTrainingResult>
        implements Serializable {

    private static final long serialVersionUID = 1L;

    private final FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult> worker;

    RoundTask(FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult> worker) {
        this.worker = worker;
    }

    @Override
    public ParameterAveragingTrainingResult apply(TaskContext context, scala.collection.Iterator<String> paths) {
        Iterator<ParameterAveragingTrainingResult> results;
        try {
            results = worker.call(JavaConverters.asJavaIterator(paths));
        } catch (Exception e) {
            throw RoundTask.<RuntimeException>rethrow(e); // unchanged, as Spark's mapPartitions would let it pass
        }
        return results.hasNext() ? results.next() : null;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }
}
