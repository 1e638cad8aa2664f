package io.sparklstm.model;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.IntPointer;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Inverted dropout (DL4J's {@link org.deeplearning4j.nn.conf.dropout.Dropout} math: keep each activation with
 * probability {@code retain} and scale kept ones by {@code 1/retain}) whose mask belongs to the calling thread.
 *
 * <p>Why not DL4J's class: it keeps the mask of the last forward pass in a field of the layer <em>configuration</em>,
 * and DL4J's clone of a {@code LastTimeStep} wrapper shares the wrapped layer's configuration (dropout included).
 * dl4j-spark builds every worker's network from a clone of one broadcast configuration, so two tasks on one executor
 * (local[2], or any executor with more than one core) share the last LSTM layer's mask: a worker then backpropagates
 * through the other worker's mask, or finds it already cleared ("Dropout mask array is absent"). Here each training
 * thread has its own mask; a network is only ever trained by one thread at a time, as DL4J requires anyway.</p>
 */
public final class PerThreadDropout implements IDropout {

    private static final long serialVersionUID = 1L;

    private final double retain;
    private transient ThreadLocal<INDArray> masks;

    /** @param retain probability of keeping each activation, in (0, 1] */
    @JsonCreator
    public PerThreadDropout(@JsonProperty("retain") double retain) {
        if (!(retain > 0 && retain <= 1)) {
            throw new IllegalArgumentException("dropout retain probability must be in (0, 1], got " + retain);
        }
        this.retain = retain;
    }

    public double getRetain() {
        return retain;
    }

    @Override
    public INDArray applyDropout(
            INDArray inputActivations, INDArray resultArray, int iteration, int epoch, LayerWorkspaceMgr workspaceMgr) {
        INDArray mask = workspaceMgr.createUninitialized(
                ArrayType.INPUT, resultArray.dataType(), resultArray.shape(), resultArray.ordering());
        fillMask(mask, Nd4j.getRandom().nextInt());
        INDArray in = inputActivations.dataType() == resultArray.dataType()
                ? inputActivations
                : inputActivations.castTo(resultArray.dataType());
        Nd4j.getExecutioner().exec(new MulOp(in, mask, resultArray));
        masks().set(mask);
        return resultArray;
    }

    /**
     * Fills the mask with {@code 1/retain} (kept) or 0 (dropped), each element decided by a counter-based hash of
     * {@code seed} and its index (MurmurHash3's 32-bit finaliser): integer-only arithmetic, about ten times faster
     * than ND4J's {@code DropOutInverted} random op, which cost 6 % of a training step. The seed comes from ND4J's
     * per-thread generator, so runs stay reproducible under the job's seeding.
     *
     * <p>Shaped for C2's vectorizer (JDK 17), which leaves a loop scalar if it uses the loop index as a value or
     * converts int to float: the index enters through a precomputed array {@code i * 0x9E3779B9} ({@link Scratch}),
     * and the result is written as the float's bits ({@code 1/retain}'s bits or 0), then copied to the mask's memory
     * unchanged. Measured: 0.09 against 1.8 ns per element.</p>
     */
    private void fillMask(INDArray mask, int seed) {
        int len = Math.toIntExact(mask.length());
        Scratch scratch = Scratch.of(len);
        int[] ramp = scratch.ramp;
        int[] bits = scratch.bits;
        int threshold = (int) Math.round(retain * (1 << 24)); // keep when the hash's top 24 bits fall below it
        int scaleBits = Float.floatToRawIntBits((float) (1.0 / retain));
        for (int i = 0; i < len; i++) {
            int h = seed + ramp[i];
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            bits[i] = ((h >>> 8) - threshold) >> 31 & scaleBits; // all ones when (h >>> 8) < threshold
        }
        if (mask.dataType() == DataType.FLOAT && !mask.isView()) {
            // one memcpy: DataBuffer.setData stores element by element (1-2 % of a training step)
            new IntPointer(mask.data().addressPointer()).put(bits, 0, len);
        } else {
            float[] values = new float[len];
            for (int i = 0; i < len; i++) {
                values[i] = Float.intBitsToFloat(bits[i]);
            }
            mask.assign(Nd4j.createFromArray(values).reshape(mask.shape())); // i.i.d. values: order is irrelevant
        }
    }

    /**
     * The calling thread's arrays for one mask size: the hash inputs {@code i * 0x9E3779B9} and the mask's bits. A
     * network's masks come in two sizes (the LSTM layers' inputs and the dense layer's), used in turn every minibatch,
     * so each size keeps its own exact-length arrays (about 1.8 MB per training thread with the defaults).
     */
    private record Scratch(int[] ramp, int[] bits) {

        private static final ThreadLocal<Map<Integer, Scratch>> BY_SIZE = ThreadLocal.withInitial(HashMap::new);

        static Scratch of(int len) {
            return BY_SIZE.get().computeIfAbsent(len, n -> {
                int[] ramp = new int[n];
                for (int i = 0; i < n; i++) {
                    ramp[i] = i * 0x9E3779B9;
                }
                return new Scratch(ramp, new int[n]);
            });
        }
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        INDArray mask = masks().get();
        Preconditions.checkState(mask != null, "Cannot backpropagate through dropout: this thread made no mask");
        masks().remove();
        INDArray m = mask.dataType() == gradAtInput.dataType() ? mask : mask.castTo(gradAtInput.dataType());
        Nd4j.getExecutioner().exec(new MulOp(gradAtOutput, m, gradAtInput));
        return gradAtInput;
    }

    @Override
    public void clear() {
        masks().remove();
    }

    @Override
    public PerThreadDropout clone() {
        return new PerThreadDropout(retain);
    }

    /**
     * The thread-local holder, created lazily: it is transient, and Kryo (which ships configurations to executors)
     * neither runs constructors' field initialisers nor {@code readObject}, so a deserialised copy starts without one.
     */
    private synchronized ThreadLocal<INDArray> masks() {
        if (masks == null) {
            masks = new ThreadLocal<>();
        }
        return masks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerThreadDropout other && Double.compare(retain, other.retain) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(retain);
    }

    @Override
    public String toString() {
        return "PerThreadDropout(retain=" + retain + ")";
    }
}
