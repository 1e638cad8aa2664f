package io.sparklstm.store;

import io.sparklstm.common.EpochStats;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of a run after a completed epoch: the network with its updater state, and the statistics to report.
 *
 * @param epoch   last completed epoch (1-based)
 * @param network parameters and Adam state after that epoch
 * @param epochs  statistics of the epochs completed so far
 * @param weightAverage the moving average of the weights after that epoch ({@code --ema-epochs}), null when off
 */
public record Checkpoint(int epoch, MultiLayerNetwork network, List<EpochStats> epochs, INDArray weightAverage) {}
