package io.sparklstm.train;

import io.sparklstm.common.EpochStats;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.data.MinibatchLoader;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.NativeThreads;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Synchronous data-parallel training with DL4J's parameter averaging: in every round each worker fits
 * {@code averagingFrequency} minibatches from the same starting parameters (and Adam state), then the driver averages
 * parameters and updater state and broadcasts them for the next round.
 *
 * <p>The rounds come from an {@link EpochPlan} rather than from DL4J's random split: the data each worker sees is
 * fixed by the seed (reproducible, and with one worker identical to single-machine training), and the driver learns
 * the loss of every round. Minibatches are read by the workers from the staged files; the driver only ships paths.
 */
public final class DistributedTrainer {

    /** Spark job group of the training rounds, see {@link ExecutorTracker}. */
    public static final String JOB_GROUP = "sparklstm-train";

    private final JavaSparkContext sc;
    private final TrainingSettings settings;
    private final SparkDl4jMultiLayer sparkNet;
    private final RandomStreamHook randomStreams;
    private final PlannedRoundsTrainingMaster master;
    private final WeightAverage average;
    private MultiLayerNetwork averagedNetwork; // copy with the average's weights, made on demand, dropped each round

    public DistributedTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainingSettings settings) {
        this(sc, network, settings, null);
    }

    /** @param resumedAverage the moving average of the weights saved with a checkpoint, null for a new run */
    public DistributedTrainer(
            JavaSparkContext sc, MultiLayerNetwork network, TrainingSettings settings, INDArray resumedAverage) {
        this(sc, network, settings, resumedAverage, RoundPath.LEAN);
    }

    /** @param path {@link RoundPath#LEAN} for the job; the others are the references of the lean rounds' tests */
    DistributedTrainer(
            JavaSparkContext sc,
            MultiLayerNetwork network,
            TrainingSettings settings,
            INDArray resumedAverage,
            RoundPath path) {
        this.sc = sc;
        this.average = new WeightAverage(settings.emaEpochs(), resumedAverage);
        this.settings = settings;
        this.randomStreams = new RandomStreamHook(settings.seed());
        this.master = new PlannedRoundsTrainingMaster(
                new ParameterAveragingTrainingMaster.Builder(settings.workers(), settings.batchSize())
                        .batchSizePerWorker(settings.batchSize())
                        .averagingFrequency(settings.averagingFrequency())
                        .workerPrefetchNumBatches(settings.prefetchBatches())
                        .repartionData(Repartition.Never) // the plan already gives each partition its batches
                        .saveUpdater(true)
                        .rngSeed(settings.seed())
                        .trainingHooks(hooks(sc, settings)),
                path);
        this.sparkNet = new SparkDl4jMultiLayer(sc, network, master);
    }

    /**
     * Thread limits, GEMM engines and seeding on every worker, each minibatch's memory freed once fitted; the one-shot
     * failure of the retry tests when requested.
     */
    private TrainingHook[] hooks(JavaSparkContext sc, TrainingSettings settings) {
        List<TrainingHook> hooks = new ArrayList<>(List.of(
                new NativeThreadsHook(NativeThreads.taskCpus(sc), settings.gemm()),
                randomStreams,
                new ReleaseMinibatchHook()));
        if (FaultInjection.requested(FailOnceHook.POINT)) {
            hooks.add(new FailOnceHook());
        }
        return hooks.toArray(TrainingHook[]::new);
    }

    /** Told after every averaging round, on the driver. */
    @FunctionalInterface
    public interface RoundListener {
        /**
         * @param examplesDone  examples of the epoch fitted so far
         * @param roundExamples examples fitted in this round
         * @param meanLoss      mean loss of the epoch's rounds so far
         */
        void roundFinished(int epoch, int round, int rounds, long examplesDone, long roundExamples, double meanLoss);
    }

    /** Fits one epoch ({@code epoch} is 1-based) over the staged training minibatches. */
    public EpochStats fitEpoch(int epoch, StagedSplit train) {
        return fitEpoch(epoch, epoch, train, (e, r, rs, done, examples, loss) -> {});
    }

    /**
     * Fits epoch {@code epoch} of {@code epochs}, telling {@code listener} after every round. Each round's Spark job
     * is described as {@code "epoch e/E · round r/R"}.
     */
    public EpochStats fitEpoch(int epoch, int epochs, StagedSplit train, RoundListener listener) {
        long started = System.nanoTime();
        EpochPlan plan = EpochPlan.of(
                train.batchPaths(), settings.workers(), settings.averagingFrequency(), settings.seed(), epoch);
        MultiLayerNetwork net = sparkNet.getNetwork();
        int epochCount = net.getLayerWiseConfigurations().getEpochCount();
        double lossSum = 0;
        int batches = 0;
        sc.setJobGroup(JOB_GROUP, "train epoch " + epoch, false);
        try {
            int roundIndex = 0;
            int rounds = plan.rounds().size();
            for (List<String> round : plan.rounds()) {
                settings.learningRate().applyTo(net, epoch - 1 + roundIndex / (double) rounds);
                randomStreams.startRound(epoch, roundIndex++);
                sc.setJobDescription(String.format("epoch %d/%d · round %d/%d", epoch, epochs, roundIndex, rounds));
                master.startRound(round.size());
                try {
                    sparkNet.fitPaths(sc.parallelize(round, settings.workers()), loader(epoch));
                } finally {
                    master.endRound();
                }
                // fitPaths counts every round as an epoch; keep the count (and epoch-based schedules) per epoch.
                net.getLayerWiseConfigurations().setEpochCount(epochCount);
                DivergenceGuard.check(sparkNet.getScore(), sparkNet.getNetwork(), epoch, roundIndex);
                lossSum += sparkNet.getScore() * round.size();
                long before = Math.min(train.examples(), (long) batches * train.batchSize());
                batches += round.size();
                long done = Math.min(train.examples(), (long) batches * train.batchSize());
                average.update(net.params(), done - before, train.examples());
                averagedNetwork = null;
                listener.roundFinished(epoch, roundIndex, rounds, done, done - before, lossSum / batches);
            }
        } finally {
            sc.clearJobGroup();
        }
        net.getLayerWiseConfigurations().setEpochCount(epochCount + 1);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new EpochStats(
                epoch,
                lossSum / batches,
                seconds,
                train.examples() / seconds,
                plan.rounds().size(),
                null,
                null);
    }

    /** Reads the staged minibatch files; with augmentation, shifted anew for each epoch. */
    private DataSetLoader loader(int epoch) {
        return new MinibatchLoader(settings.augmentShift(), settings.seed(), epoch);
    }

    /** The network being trained: the latest parameters and Adam state. */
    public MultiLayerNetwork network() {
        return sparkNet.getNetwork();
    }

    /**
     * The network to evaluate and publish: {@link #averagedNetwork}, or the trained network itself when averaging is
     * off.
     */
    public MultiLayerNetwork publishable() {
        MultiLayerNetwork averaged = averagedNetwork();
        return averaged != null ? averaged : network();
    }

    /**
     * A copy of the network with the moving average of the weights ({@link WeightAverage}), for evaluation,
     * checkpoints and publishing; null when averaging is off. Made once per state of the average: evaluating,
     * checkpointing and publishing the same epoch share one copy, which nobody modifies.
     */
    public MultiLayerNetwork averagedNetwork() {
        INDArray averaged = average.average();
        if (averaged != null && averagedNetwork == null) {
            averagedNetwork = network().clone();
            averagedNetwork.setParams(averaged);
        }
        return averagedNetwork;
    }
}
