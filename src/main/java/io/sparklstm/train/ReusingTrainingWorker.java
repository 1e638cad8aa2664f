package io.sparklstm.train;

import java.util.Collection;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.storage.StatsStorageRouterProvider;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.factory.Nd4j;

/**
 * dl4j-spark's parameter-averaging worker, except that a task thread keeps the network it trained in its last round
 * and, when the next round's configuration is the same but for the iteration and epoch counters, loads the round's
 * parameters and updater state into it instead of building a new network.
 *
 * <p>Why: dl4j-spark builds every round's network anew from the broadcast: configuration cloned, layers and updater
 * created, parameters, Adam state and gradients allocated. With the job's default exponential learning-rate schedule
 * (inside the updater's configuration) the configuration only ever differs in its counters, so that work is the same
 * in every round. In the second epoch of a Spark local[1] run it took about 2 % of the training task, and its fresh
 * arrays (6 MB per round for the seed network) were among the last page faults left.</p>
 *
 * <p>Equivalence: the kept network gets the broadcast's parameters, updater state and counters (of the network and
 * of every layer), and nothing else of it outlives a round: DL4J clears its layers' inputs after every {@code fit},
 * dropout masks are drawn anew each minibatch, and FastLSTM's buffers belong to the thread anyway. A configuration
 * that differs in anything else (the cosine schedule changes the learning rate every round), training listeners or
 * training statistics make it fall back to dl4j-spark's worker. {@code ParityTest} (one worker against
 * single-machine training, several rounds per epoch) and {@code ReusingTrainingWorkerTest} hold it to the same bits.
 * Trade-off: each task thread keeps one network (parameters, Adam state, gradients: 6 MB for the seed network) until
 * it ends.</p>
 */
final class ReusingTrainingWorker extends ParameterAveragingTrainingWorker {

    private static final long serialVersionUID = 1L;

    private static final ThreadLocal<MultiLayerNetwork> LAST_ROUND = new ThreadLocal<>();

    private final Broadcast<NetBroadcastTuple> broadcast;
    private final boolean reusable;

    ReusingTrainingWorker(
            Broadcast<NetBroadcastTuple> broadcast,
            boolean saveUpdater,
            WorkerConfiguration configuration,
            Collection<TrainingHook> hooks,
            Collection<TrainingListener> listeners,
            StatsStorageRouterProvider router) {
        super(broadcast, saveUpdater, configuration, hooks, listeners, router);
        this.broadcast = broadcast;
        this.reusable = (listeners == null || listeners.isEmpty()) && !configuration.isCollectTrainingStats();
    }

    @Override
    public MultiLayerNetwork getInitialModel() {
        NetBroadcastTuple round = broadcast.getValue();
        MultiLayerNetwork kept = reusable ? LAST_ROUND.get() : null;
        if (kept != null && round.getUpdaterState() != null && takeCounters(round.getConfiguration(), kept)) {
            kept.params().assign(round.getParameters());
            kept.getUpdater().getStateViewArray().assign(round.getUpdaterState());
            Nd4j.getExecutioner().commit();
            return kept;
        }
        MultiLayerNetwork fresh = super.getInitialModel();
        if (reusable) {
            LAST_ROUND.set(fresh);
        }
        return fresh;
    }

    /**
     * Gives {@code kept}'s configuration the round's iteration and epoch counters (network and layers) and tells
     * whether it then equals the round's configuration. The round's configuration is only read: in local mode it is
     * the driver's own object.
     */
    private static boolean takeCounters(MultiLayerConfiguration round, MultiLayerNetwork kept) {
        MultiLayerConfiguration mine = kept.getLayerWiseConfigurations();
        List<NeuralNetConfiguration> roundLayers = round.getConfs();
        List<NeuralNetConfiguration> myLayers = mine.getConfs();
        if (roundLayers.size() != myLayers.size()) {
            return false;
        }
        mine.setIterationCount(round.getIterationCount());
        mine.setEpochCount(round.getEpochCount());
        for (int i = 0; i < myLayers.size(); i++) {
            myLayers.get(i).setIterationCount(roundLayers.get(i).getIterationCount());
            myLayers.get(i).setEpochCount(roundLayers.get(i).getEpochCount());
        }
        return mine.equals(round);
    }
}
