package io.sparklstm.config;

/**
 * Which LSTM layer implementation builds the network ({@code --lstm-impl}). Both compute the same function with the
 * same parameter layout (a model trained with one loads and runs with the other after copying {@code params()}); they
 * differ in speed and in what they support. The layers themselves are built in {@code io.sparklstm.model}.
 */
public enum LstmImplementation {
    /** The project's FastLSTM: few large BLAS calls and fused gate loops; several times faster on CPU. No masks. */
    FAST,
    /** DL4J's stock LSTM: the reference implementation. */
    STOCK
}
