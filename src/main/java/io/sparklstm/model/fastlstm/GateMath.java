package io.sparklstm.model.fastlstm;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The element-wise part of the LSTM, one time step at a time, on Java arrays: gate activations, cell update and
 * output in the forward pass; gate deltas in the backward pass (see {@link LstmKernel} for the equations).
 *
 * <p>Per step, the pre-activations {@code Z_t [B, 4n]} are bulk-copied from the native buffer into a Java array,
 * transformed, and {@code h_t} is bulk-copied back for the next step's GEMM; backward, {@code dL/dh_t} comes in
 * and {@code dZ_t} goes out the same way. Everything else (gate activations, cell states, {@code tanh(c)} of all
 * steps) stays on the Java heap in per-step arrays until the backward pass.</p>
 *
 * <p>Two implementations: {@link FloatGates} (the fast path: loops shaped so that HotSpot's C2 vectorizes them,
 * rational-function tanh/sigmoid) and {@link DoubleGates} (exact {@code Math.exp}-based math, used for DOUBLE
 * networks, e.g. gradient checks).</p>
 */
abstract class GateMath {

    protected final int n;
    protected int batch;
    protected int steps;

    GateMath(int n) {
        this.n = n;
    }

    static GateMath create(DataType type, int n) {
        return type == DataType.FLOAT ? new FloatGates(n) : new DoubleGates(n);
    }

    /** (Re)allocates the per-step state for {@code batch x steps}. */
    void resize(int batch, int steps) {
        this.batch = batch;
        this.steps = steps;
        allocate();
    }

    protected abstract void allocate();

    /** Sets the bias {@code b [4n]} used by the following forward steps, and c_{-1} = 0. */
    abstract void beginForward(double[] bias);

    /**
     * Step t forward: reads the pre-activations without bias {@code Z_t} (rows {@code [t*B, (t+1)*B)} of z),
     * keeps the gate activations and cell state, writes {@code h_t} to rows {@code [(t+1)*B, (t+2)*B)} of h.
     */
    abstract void forwardStep(int t, NativeBuf z, NativeBuf h);

    /** Resets dL/dc carried between steps to zero. */
    abstract void beginBackward();

    /**
     * Step t backward (steps in decreasing order): reads {@code dL/dh_t} (rows {@code [t*B, (t+1)*B)} of dh, the
     * recurrent contribution already added) and writes the gate deltas {@code dZ_t} over rows of z.
     */
    abstract void backwardStep(int t, NativeBuf z, NativeBuf dh);
}
