package io.sparklstm.evaluate;

import io.sparklstm.data.Minibatches;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.NativeThreads;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Evaluates a network over staged test minibatches on the executors: the configuration and parameters are broadcast
 * once, each task scores its files, and the driver merges the per-task confusion matrices.
 *
 * <p>dl4j-spark's own path-based evaluation is not used: in 1.0.0-M2 it routes MultiLayerNetworks through a
 * ComputationGraph code path that fails with a NullPointerException.
 */
public final class DistributedEvaluator {

    private final JavaSparkContext sc;

    public DistributedEvaluator(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** Evaluates {@code network}; its Spark job is described as {@code "evaluate <what> on <n> test examples"}. */
    public ClassificationReport evaluate(MultiLayerNetwork network, StagedSplit test, String what) {
        Broadcast<String> conf =
                sc.broadcast(network.getLayerWiseConfigurations().toJson());
        // A copy: Spark closes AutoCloseable broadcast values (INDArrays are) when the broadcast is destroyed.
        Broadcast<INDArray> params = sc.broadcast(network.params().dup());
        sc.setJobDescription("evaluate " + what + " on " + test.examples() + " " + test.name() + " examples");
        try {
            int partitions = Math.max(1, Math.min(test.batchPaths().size(), sc.defaultParallelism()));
            Evaluation merged = sc.parallelize(test.batchPaths(), partitions)
                    .mapPartitions(new EvaluateBatchesFunction(
                            conf, params, BroadcastHadoopConfigHolder.get(sc), NativeThreads.taskCpus(sc)))
                    .reduce(DistributedEvaluator::merge);
            return toReport(merged);
        } finally {
            sc.setJobDescription(null);
            conf.destroy();
            params.destroy();
        }
    }

    private static Evaluation merge(Evaluation a, Evaluation b) {
        a.merge(b);
        return a;
    }

    static ClassificationReport toReport(Evaluation evaluation) {
        long[][] counts = new long[Minibatches.CLASSES][Minibatches.CLASSES];
        ConfusionMatrix<Integer> matrix = evaluation.getConfusionMatrix();
        if (matrix != null) {
            for (int actual = 0; actual < counts.length; actual++) {
                for (int predicted = 0; predicted < counts.length; predicted++) {
                    counts[actual][predicted] = matrix.getCount(actual, predicted);
                }
            }
        }
        return new ClassificationReport(counts);
    }
}
