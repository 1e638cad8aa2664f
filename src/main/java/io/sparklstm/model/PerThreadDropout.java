package io.sparklstm.model;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
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
        INDArray mask = workspaceMgr
                .createUninitialized(
                        ArrayType.INPUT, resultArray.dataType(), resultArray.shape(), resultArray.ordering())
                .assign(1.0);
        Nd4j.getExecutioner().exec(new DropOutInverted(mask, mask, retain));
        INDArray in = inputActivations.dataType() == resultArray.dataType()
                ? inputActivations
                : inputActivations.castTo(resultArray.dataType());
        Nd4j.getExecutioner().exec(new MulOp(in, mask, resultArray));
        masks().set(mask);
        return resultArray;
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
