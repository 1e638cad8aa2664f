package io.sparklstm.train;

import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;

/**
 * DL4J's parameter averaging, unchanged in its math, for rounds the driver plans itself ({@link EpochPlan}): every
 * {@code fitPaths} call is exactly one averaging round of a known number of minibatch paths. That knowledge removes
 * two costs dl4j-spark pays on every call:
 * <ul>
 *   <li>a Spark job that counts the paths ({@code count()}), needed there only to cut a data set into rounds; and</li>
 *   <li>the round's broadcast of parameters and updater state (a few MB), which dl4j-spark never releases: it lingers
 *       in the driver's and executors' block managers until a garbage collection lets Spark's cleaner find it. Here
 *       it is destroyed as soon as the round's averaged parameters are back ({@link #endRound}).</li>
 * </ul>
 * The paths RDD of a round is not cached either (it is read once).
 */
final class PlannedRoundsTrainingMaster extends ParameterAveragingTrainingMaster {

    private static final long serialVersionUID = 1L;

    private transient long roundPaths; // 0: no round announced (also after deserialisation)
    private transient Broadcast<NetBroadcastTuple> roundBroadcast;

    PlannedRoundsTrainingMaster(Builder builder) {
        super(builder.storageLevelStreams(null));
    }

    /** Announces the next {@code fitPaths} call: one round over exactly {@code paths} minibatch files. */
    void startRound(int paths) {
        this.roundPaths = paths;
    }

    /** Releases the round's broadcast on the driver and every executor. */
    void endRound() {
        roundPaths = 0;
        releaseBroadcast();
    }

    private void releaseBroadcast() {
        if (roundBroadcast != null) {
            roundBroadcast.destroy();
            roundBroadcast = null;
        }
    }

    @Override
    protected <T, Repr extends JavaRDDLike<T, Repr>> long getTotalDataSetObjectCount(JavaRDDLike<T, Repr> data) {
        return roundPaths > 0 ? roundPaths : super.getTotalDataSetObjectCount(data);
    }

    /**
     * As in dl4j-spark, keeping a handle on the broadcast so that {@link #endRound} can release it (without
     * dl4j-spark's optional broadcast timing statistics, which this job does not collect); the worker keeps its
     * network from round to round where it can ({@link ReusingTrainingWorker}).
     */
    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer network) {
        MultiLayerNetwork net = network.getNetwork();
        releaseBroadcast(); // a call cut into several splits: the previous one is done
        roundBroadcast = network.getSparkContext()
                .broadcast(new NetBroadcastTuple(
                        net.getLayerWiseConfigurations(),
                        net.params(),
                        net.getUpdater().getStateViewArray()));
        WorkerConfiguration configuration = new WorkerConfiguration(
                false,
                rddDataSetNumExamples,
                batchSizePerWorker,
                averagingFrequency,
                prefetchNumBatches,
                collectTrainingStats);
        return new ReusingTrainingWorker(
                roundBroadcast, saveUpdater, configuration, trainingHookList, listeners, getRouterProvider());
    }
}
