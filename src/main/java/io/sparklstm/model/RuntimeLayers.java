package io.sparklstm.model;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every layer configuration's {@code instantiate} does to the runtime layer it creates, as DL4J's own
 * configurations do it: listeners, index, the parameters' view of the network's flat parameter array and the named
 * parameters in it. Shared by this project's layers ({@link FastOutput}, {@code fastlstm.FastLSTM}).
 */
public final class RuntimeLayers {

    private RuntimeLayers() {}

    /** {@code layer}, wired to its place in the network; {@code initializeParams} initialises its parameters. */
    public static <L extends BaseLayer<?>> L wire(
            L layer,
            NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners,
            int layerIndex,
            INDArray paramsView,
            ParamInitializer initializer,
            boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
