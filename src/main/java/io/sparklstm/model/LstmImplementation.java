package io.sparklstm.model;

import io.sparklstm.model.fastlstm.FastLSTM;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.nd4j.linalg.activations.Activation;

/**
 * Which LSTM layer implementation builds the network. Both compute the same function with the same parameter layout
 * (a model trained with one loads and runs with the other after copying {@code params()}); they differ in speed and
 * in what they support.
 */
public enum LstmImplementation {
    /** {@link FastLSTM}: few large BLAS calls and fused gate loops; several times faster on CPU. No masks, no tBPTT. */
    FAST {
        @Override
        BaseRecurrentLayer layer(int inputs, int units, IDropout dropout) {
            return new FastLSTM.Builder()
                    .nIn(inputs)
                    .nOut(units)
                    .dropOut(dropout)
                    .build();
        }
    },
    /** DL4J's stock {@link LSTM}: the reference implementation. */
    STOCK {
        @Override
        BaseRecurrentLayer layer(int inputs, int units, IDropout dropout) {
            return new LSTM.Builder()
                    .nIn(inputs)
                    .nOut(units)
                    .activation(Activation.TANH)
                    .dropOut(dropout)
                    .build();
        }
    };

    /** One LSTM layer; {@code dropout} applies to its input while training (null = none). */
    abstract BaseRecurrentLayer layer(int inputs, int units, IDropout dropout);
}
