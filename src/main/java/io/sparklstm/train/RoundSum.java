package io.sparklstm.train;

import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementAddFunction;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The driver's side of one averaging round: adds up the workers' results (parameters, Adam state, scores) in the
 * order they arrive, with dl4j-spark's own add function: what {@code treeAggregate} does for a round too small for a
 * tree. Spark calls it on its scheduler thread, one result at a time: the result itself, or its key in
 * {@link LocalResults} (Spark local mode).
 *
 * <p>A task that got no minibatch (a round's last, short split can leave a worker without any) returns a result
 * without parameters. dl4j-spark's combine step drops such results: they count as no worker and add no score. This
 * sum drops them the same way.
 */
final class RoundSum extends AbstractFunction2<Object, Object, BoxedUnit> {

    private final ParameterAveragingElementAddFunction add = new ParameterAveragingElementAddFunction();
    private ParameterAveragingAggregationTuple sum; // null until a result with parameters arrives

    @Override
    public BoxedUnit apply(Object partition, Object returned) {
        ParameterAveragingTrainingResult result = LocalResults.take(returned);
        if (result != null && result.getParameters() != null) {
            try {
                sum = add.call(sum, result);
            } catch (Exception e) {
                throw new IllegalStateException("Adding the result of round task " + partition + " failed", e);
            }
        }
        return BoxedUnit.UNIT;
    }

    /** The sum of the results so far; null when no task had any minibatch. */
    ParameterAveragingAggregationTuple sum() {
        return sum;
    }
}
