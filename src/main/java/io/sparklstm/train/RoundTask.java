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
 * one result (parameters, Adam state, score) it returns: itself, or in Spark local mode the key under which
 * {@link LocalResults} holds a copy for the driver. For a task without paths that result has no parameters
 * ({@link RoundSum} skips it); null only if the function returns no result at all.
 *
 * <p>A named class rather than a lambda on purpose: Spark's {@code ClosureCleaner} returns at once for it, where a
 * lambda (or an RDD operation built from lambdas) has the class that declares it read and parsed again on every
 * call. See {@link PlannedRoundsTrainingMaster}.
 */
final class RoundTask extends AbstractFunction2<TaskContext, scala.collection.Iterator<String>, Object>
        implements Serializable {

    private static final long serialVersionUID = 1L;

    private final FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult> worker;

    private final long handoffRound;

    /**
     * @param handoffRound the round's number for {@link LocalResults}, whose key the task then returns when it runs in
     *     the driver's JVM; 0: always the result itself
     */
    RoundTask(FlatMapFunction<Iterator<String>, ParameterAveragingTrainingResult> worker, long handoffRound) {
        this.worker = worker;
        this.handoffRound = handoffRound;
    }

    @Override
    public Object apply(TaskContext context, scala.collection.Iterator<String> paths) {
        Iterator<ParameterAveragingTrainingResult> results;
        try {
            results = worker.call(JavaConverters.asJavaIterator(paths));
        } catch (Exception e) {
            throw RoundTask.<RuntimeException>rethrow(e); // unchanged, as Spark's mapPartitions would let it pass
        }
        ParameterAveragingTrainingResult result = results.hasNext() ? results.next() : null;
        return handoffRound == 0 ? result : LocalResults.deposit(handoffRound, result);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }
}
