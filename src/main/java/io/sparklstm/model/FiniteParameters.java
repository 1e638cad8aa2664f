package io.sparklstm.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Whether a network's parameters are all finite: a NaN or infinity anywhere makes their sum non-finite. */
public final class FiniteParameters {

    private FiniteParameters() {}

    public static boolean of(MultiLayerNetwork network) {
        return Double.isFinite(network.params().sumNumber().doubleValue());
    }
}
