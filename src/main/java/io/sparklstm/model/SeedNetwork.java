package io.sparklstm.model;

import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.config.LrSchedule;
import io.sparklstm.config.LstmImplementation;
import io.sparklstm.data.Minibatches;
import io.sparklstm.model.fastlstm.FastAdam;
import io.sparklstm.model.fastlstm.FastLSTM;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
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

    /** The network the configuration asks for. */
    public static SeedNetwork from(JobConfig config) {
        return new SeedNetwork(
                config.get(JobParams.LSTM_UNITS),
                config.get(JobParams.LEARNING_RATE),
                // a cosine schedule is set by the driver every round (train.LearningRate): a constant rate here
                config.get(JobParams.LR_SCHEDULE) == LrSchedule.COSINE ? 1.0 : config.get(JobParams.LR_DECAY),
                config.get(JobParams.DROPOUT),
                config.get(JobParams.SEED),
                config.get(JobParams.LSTM_IMPL));
    }

    /** The layer configuration, JSON-serializable and identical on the driver and every executor. */
    public MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(
                        lrDecay == 1.0
                                ? new FastAdam(learningRate)
                                : new FastAdam(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, lrDecay)))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(lstmLayer(Minibatches.FEATURES, units, null, false))
                .layer(lstmLayer(units, units, layerDropout(), true))
                .layer(new LastTimeStep(lstmLayer(units, units, layerDropout(), true)))
                .layer(outputLayer())
                .setInputType(InputType.recurrent(Minibatches.FEATURES, Minibatches.STEPS))
                .build();
    }

    /**
     * One LSTM layer of the chosen implementation; {@code dropout} applies to its input while training. Without
     * {@code inputGradient} (the first layer, which reads the pixels) FastLSTM skips the gradient nobody uses.
     */
    private BaseRecurrentLayer lstmLayer(int inputs, int layerUnits, IDropout layerDropout, boolean inputGradient) {
        return switch (lstm) {
            case FAST ->
                new FastLSTM.Builder()
                        .nIn(inputs)
                        .nOut(layerUnits)
                        .dropOut(layerDropout)
                        .inputGradient(inputGradient)
                        .build();
            case STOCK ->
                new LSTM.Builder()
                        .nIn(inputs)
                        .nOut(layerUnits)
                        .activation(Activation.TANH)
                        .dropOut(layerDropout)
                        .build();
        };
    }

    /**
     * The dense softmax layer over the classes, with cross-entropy loss: {@link FastOutput} beside FastLSTM (the same
     * layer with its training step in plain Java), DL4J's own beside its stock LSTM.
     */
    private OutputLayer outputLayer() {
        OutputLayer.Builder softmax = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .dropOut(layerDropout())
                .nIn(units)
                .nOut(Minibatches.CLASSES)
                .activation(Activation.SOFTMAX);
        return lstm == LstmImplementation.FAST ? FastOutput.of(softmax) : softmax.build();
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
