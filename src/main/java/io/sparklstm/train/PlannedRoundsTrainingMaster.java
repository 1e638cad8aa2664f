package io.sparklstm.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.ExecuteWorkerPathFlatMap;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

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
 *
 * <p>A round small enough that Spark's {@code treeAggregate} would build no tree (up to five workers at dl4j-spark's
 * depth 2) also runs leaner: one Spark job straight over the round's paths ({@link RoundTask}), whose results the
 * driver adds up as they arrive ({@link RoundSum}). That is what {@code mapPartitions} followed by
 * {@code treeAggregate} amount to there, with the same sums in the same order, minus Spark's closure cleaning of
 * their lambdas: five cleanings per round, each reading and parsing the class that declares the lambda (the
 * {@code RDD} class for most), about 15 ms of the driver's time in every round of a Spark local[1] run, while the
 * executor waits. Larger rounds keep dl4j-spark's tree ({@code docs/scaling.md}).
 *
 * <p>In Spark local mode, where the tasks run in the driver's JVM, the round's parameters and Adam state also travel
 * by reference rather than serialised: out in a {@link LocalBroadcast}, back through {@link LocalResults}. Both copies
 * that Spark would make (a broadcast nobody reads there, a task result written and read back) cost about 30 ms of
 * every round of a Spark local[1] run. On a cluster nothing changes.</p>
 */
final class PlannedRoundsTrainingMaster extends ParameterAveragingTrainingMaster {

    private static final Logger log = LoggerFactory.getLogger(PlannedRoundsTrainingMaster.class);

    private static final long serialVersionUID = 1L;

    private transient long roundPaths; // 0: no round announced (also after deserialisation)
    private transient Broadcast<NetBroadcastTuple> roundBroadcast;

    private final RoundPath path;
    private transient long handoffRound; // the current round's number for LocalResults; 0: none

    /** @param path {@link RoundPath#LEAN} for the job; the others for the tests that hold it to the same bits */
    PlannedRoundsTrainingMaster(Builder builder, RoundPath path) {
        super(builder.storageLevelStreams(null));
        this.path = path;
    }

    /** Announces the next {@code fitPaths} call: one round over exactly {@code paths} minibatch files. */
    void startRound(int paths) {
        this.roundPaths = paths;
    }

    /** Releases the round's broadcast on the driver and every executor. */
    void endRound() {
        roundPaths = 0;
        releaseBroadcast();
        if (handoffRound != 0) {
            LocalResults.close(handoffRound);
            handoffRound = 0;
        }
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
     * One round over {@code split}: the lean job when {@link #flatAggregation} holds and this is the job's case
     * (a network trained from paths, no training statistics, no repartitioning), else dl4j-spark's.
     */
    @Override
    protected void doIterationPaths(
            SparkDl4jMultiLayer network,
            SparkComputationGraph graph,
            JavaRDD<String> split,
            int splitNum,
            int numSplits,
            int dataSetObjectNumExamples,
            DataSetLoader dsLoader,
            MultiDataSetLoader mdsLoader) {
        int tasks = split.getNumPartitions();
        if (path == RoundPath.DL4J
                || network == null
                || dsLoader == null
                || collectTrainingStats
                || statsStorage != null
                || repartition != Repartition.Never
                || !flatAggregation(tasks, aggregationDepth)) {
            super.doIterationPaths(
                    network, graph, split, splitNum, numSplits, dataSetObjectNumExamples, dsLoader, mdsLoader);
            return;
        }
        log.info( // dl4j-spark's round log lines, kept: logs and log-watching tools see every round alike
                "Starting training of split {} of {}. workerMiniBatchSize={}, averagingFreq={}, Configured for {}"
                        + " workers",
                splitNum,
                numSplits,
                batchSizePerWorker,
                averagingFrequency,
                numWorkers);
        JavaSparkContext sc = network.getSparkContext();
        handoffRound = inJvm(sc) ? LocalResults.open() : 0;
        RoundTask task = new RoundTask(
                new ExecuteWorkerPathFlatMap<>(
                        getWorkerInstance(network), dsLoader, BroadcastHadoopConfigHolder.get(sc)),
                handoffRound);
        RoundSum sum = new RoundSum();
        List<Object> partitions = new ArrayList<>(tasks);
        for (int p = 0; p < tasks; p++) {
            partitions.add(p);
        }
        sc.sc()
                .runJob(
                        split.rdd(),
                        task,
                        JavaConverters.asScalaBuffer(partitions).toSeq(),
                        sum,
                        ClassTag$.MODULE$.apply(Object.class));
        average(network, sum.sum());
        log.info("Completed training of split {} of {}", splitNum, numSplits);
    }

    /**
     * Whether this round's parameters go to and from the tasks by reference: {@link RoundPath#LEAN} in Spark local
     * mode, where the tasks run in the driver's JVM ({@link LocalBroadcast}, {@link LocalResults}).
     */
    private boolean inJvm(JavaSparkContext sc) {
        return path == RoundPath.LEAN && sc.isLocal();
    }

    /**
     * Whether Spark's {@code treeAggregate} at this depth would merge the results of this many tasks on the driver
     * alone, with no intermediate level: its own test, {@code tasks <= scale + ceil(tasks / scale)} with {@code scale
     * = max(ceil(tasks^(1/depth)), 2)}.
     */
    static boolean flatAggregation(int tasks, int depth) {
        int scale = Math.max((int) Math.ceil(Math.pow(tasks, 1.0 / depth)), 2);
        return tasks <= scale + Math.ceil(tasks / (double) scale);
    }

    /**
     * The end of dl4j-spark's {@code processResults} for a network, on the round's sum: parameters and Adam state
     * divided by the number of workers and set, the mean score, and the iteration count advanced by the averaging
     * frequency. A round without any minibatch leaves the network as it was.
     */
    private void average(SparkDl4jMultiLayer network, ParameterAveragingAggregationTuple sum) {
        if (sum == null) {
            return;
        }
        int workers = sum.getAggregationsCount();
        MultiLayerNetwork net = network.getNetwork();
        INDArray params = sum.getParametersSum().divi(workers);
        net.setParameters(params);
        INDArray updaterState = sum.getUpdaterStateSum();
        if (updaterState != null) {
            net.getUpdater().setStateViewArray(null, updaterState.divi(workers), false);
        }
        network.setScore(sum.getScoreSum() / workers);
        Nd4j.getExecutioner().commit();
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        conf.setIterationCount(conf.getIterationCount() + averagingFrequency);
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
        NetBroadcastTuple round = new NetBroadcastTuple(
                net.getLayerWiseConfigurations(), net.params(), net.getUpdater().getStateViewArray());
        JavaSparkContext sc = network.getSparkContext();
        roundBroadcast = inJvm(sc) ? LocalBroadcast.of(round, NetBroadcastTuple.class) : sc.broadcast(round);
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
