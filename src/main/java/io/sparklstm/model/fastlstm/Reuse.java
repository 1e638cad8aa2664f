package io.sparklstm.model.fastlstm;

/**
 * Which operand of a product its caller promises to be unchanged: the same memory, with the same contents, as the
 * same operand of the calling thread's previous product that read it ({@link #B}: of this shape; {@link #A}: of any
 * shape). {@link GemmEngine#BF16} then reuses its BF16 copy of that operand instead of converting it again, after
 * checking that address and length match; the FP32 engines read their operands directly and ignore it.
 *
 * <p>FastLSTM promises B for the recurrent weights from a pass's second step on, and A for dL/dZ in the weight and
 * input gradients: one buffer read by three products in a row, converted once instead of three times.</p>
 */
enum Reuse {
    /** Both operands may have changed. */
    NONE,
    /** A is unchanged. */
    A,
    /** B is unchanged. */
    B
}
