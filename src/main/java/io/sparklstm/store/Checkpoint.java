package io.sparklstm.store;

import io.sparklstm.train.EpochStats;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The state of a run after a completed epoch: the network with its updater state, and what resuming needs to check
 * and to report.
 *
 * @param epoch    last completed epoch (1-based)
 * @param network  parameters and Adam state after that epoch
 * @param settings the training settings the checkpoint was made with (see {@link CheckpointStore})
 * @param epochs   statistics of the epochs completed so far
 */
public record Checkpoint(int epoch, MultiLayerNetwork network, Map<String, Object> settings, List<EpochStats> epochs) {}
