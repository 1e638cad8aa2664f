package io.sparklstm.evaluate;

import io.sparklstm.data.Minibatches;
import io.sparklstm.data.StagedSplit;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.impl.SerializedDataSetLoader;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;

/**
 * Evaluates a network over staged test minibatches on the executors: each task scores its files with a broadcast copy
 * of the parameters and the driver merges the per-task confusion matrices.
 */
public final class DistributedEvaluator {

    private final JavaSparkContext sc;

    public DistributedEvaluator(JavaSparkContext sc) {
        this.sc = sc;
    }

    public ClassificationReport evaluate(SparkDl4jMultiLayer network, StagedSplit test) {
        sc.setJobDescription("evaluate on " + test.examples() + " " + test.name() + " examples");
        try {
            IEvaluation[] result = network.doEvaluation(
                    sc.parallelize(test.batchPaths(), Math.min(test.batchPaths().size(), sc.defaultParallelism() * 2)),
                    network.getDefaultEvaluationWorkers(), test.batchSize(), new SerializedDataSetLoader(),
                    new Evaluation(Minibatches.CLASSES));
            return toReport((Evaluation) result[0]);
        } finally {
            sc.setJobDescription(null);
        }
    }

    static ClassificationReport toReport(Evaluation evaluation) {
        ConfusionMatrix<Integer> matrix = evaluation.getConfusionMatrix();
        long[][] counts = new long[Minibatches.CLASSES][Minibatches.CLASSES];
        for (int actual = 0; actual < counts.length; actual++) {
            for (int predicted = 0; predicted < counts.length; predicted++) {
                counts[actual][predicted] = matrix.getCount(actual, predicted);
            }
        }
        return new ClassificationReport(counts);
    }
}
