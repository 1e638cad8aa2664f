package io.sparklstm.model.fastlstm;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The seed network (LSTM -> LSTM -> LastTimeStep(LSTM) -> softmax), built with the stock LSTM or FastLSTM. */
final class LstmNets {

    private LstmNets() {}

    static MultiLayerConfiguration conf(
            boolean fast,
            int nIn,
            int hidden,
            int nClasses,
            int timeSteps,
            DataType dataType,
            IUpdater updater,
            long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(lstm(fast, hidden))
                .layer(lstm(fast, hidden))
                .layer(new LastTimeStep(lstm(fast, hidden)))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(nClasses)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(nIn, timeSteps))
                .build();
    }

    static BaseRecurrentLayer lstm(boolean fast, int hidden) {
        return fast
                ? new FastLSTM.Builder().nOut(hidden).build()
                : new LSTM.Builder().nOut(hidden).activation(Activation.TANH).build();
    }

    static MultiLayerNetwork net(
            boolean fast,
            int nIn,
            int hidden,
            int nClasses,
            int timeSteps,
            DataType dataType,
            IUpdater updater,
            long seed) {
        MultiLayerNetwork net =
                new MultiLayerNetwork(conf(fast, nIn, hidden, nClasses, timeSteps, dataType, updater, seed));
        net.init();
        return net;
    }

    /** Random features [batch, nIn, T] (NCW) in [-1, 1). */
    static INDArray features(int batch, int nIn, int timeSteps, DataType dataType, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dataType, batch, nIn, timeSteps).muli(2).subi(1);
    }

    /** Random one-hot labels [batch, nClasses]. */
    static INDArray labels(int batch, int nClasses, DataType dataType, long seed) {
        java.util.Random r = new java.util.Random(seed);
        INDArray y = Nd4j.zeros(dataType, batch, nClasses);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, r.nextInt(nClasses), 1.0);
        }
        return y;
    }

    /** The network's loss and gradient on (x, y), computed in place ({@code net.score()}, {@code net.gradient()}). */
    static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.gradient().gradient();
    }
}
