package io.sparklstm.model;

import io.sparklstm.data.Minibatches;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The network this job trains, and nothing else: three stacked LSTM layers (the first two return every time step, the
 * third only its last), then a dense softmax over the ten classes, trained with cross-entropy and Adam. Inputs are 28
 * steps of 28 features (see {@link Minibatches}).
 *
 * @param units        units of each LSTM layer
 * @param learningRate Adam's learning rate in the first epoch
 * @param lrDecay      factor applied to the learning rate after every epoch (1 = constant)
 * @param dropout      probability of dropping each input of the second and third LSTM layer and of the dense layer
 *                     during training (0 = none); the pixels themselves are never dropped
 * @param seed         seed of the weight initialisation
 * @param lstm         implementation of the LSTM layers
 */
public record SeedNetwork(
        int units, double learningRate, double lrDecay, double dropout, long seed, LstmImplementation lstm) {

    /** The network with the project's default, fast LSTM layers, a constant learning rate and no dropout. */
    public SeedNetwork(int units, double learningRate, long seed) {
        this(units, learningRate, 1.0, 0.0, seed, LstmImplementation.FAST);
    }

    /** The layer configuration, JSON-serializable and identical on the driver and every executor. */
    public MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(
                        lrDecay == 1.0
                                ? new Adam(learningRate)
                                : new Adam(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, lrDecay)))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(lstm.layer(Minibatches.FEATURES, units, null))
                .layer(lstm.layer(units, units, layerDropout()))
                .layer(new LastTimeStep(lstm.layer(units, units, layerDropout())))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .dropOut(layerDropout())
                        .nIn(units)
                        .nOut(Minibatches.CLASSES)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(Minibatches.FEATURES, Minibatches.STEPS))
                .build();
    }

    /** A new dropout for one layer, null without dropout; see {@link PerThreadDropout} for why not DL4J's own. */
    private IDropout layerDropout() {
        return dropout == 0 ? null : new PerThreadDropout(1 - dropout);
    }

    /** A freshly initialised network: the same weights for the same seed. */
    public MultiLayerNetwork newNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration());
        net.init();
        return net;
    }
}
