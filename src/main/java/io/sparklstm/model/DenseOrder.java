package io.sparklstm.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The order of an array's dimensions in which its elements lie in memory row-major and without gaps, so that an
 * element-wise op on arrays sharing that order can run on them {@linkplain #view permuted} into it: plain dense
 * loops instead of ND4J's strided ones.
 *
 * <p>Why: a {@code FastLSTM} layer's activations are a time-major {@code [T, B, k]} array seen as DL4J's
 * {@code [B, k, T]} (a permuted view, neither c- nor f-ordered); dropout on them through the view's strides would
 * cost ND4J's slow strided path.</p>
 */
public final class DenseOrder {

    private DenseOrder() {}

    /**
     * The order (dimension indices, outermost first) in which {@code a} is dense, or null: its dimensions sorted
     * by decreasing stride must have the strides of a row-major array of that shape (size-1 dimensions may have any).
     */
    static int[] of(INDArray a) {
        int rank = a.rank();
        long[] stride = a.stride();
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) { // insertion sort by decreasing stride, stable (ranks are small)
            int i = d;
            while (i > 0 && stride[order[i - 1]] < stride[d]) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = d;
        }
        return is(a, order) ? order : null;
    }

    /**
     * Whether {@code a}'s elements lie in memory row-major in {@code order} (dimension indices, outermost first),
     * without gaps; size-1 dimensions may have any stride.
     */
    public static boolean is(INDArray a, int[] order) {
        if (order.length != a.rank()) {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = order.length - 1; i >= 0; i--) {
            int d = order[i];
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** Whether {@code a} is dense row-major (c order), or a view whose strides happen to be. */
    public static boolean isRowMajor(INDArray a) {
        return is(a, identity(a.rank()));
    }

    /** Whether {@code a} is dense column-major (f order), or a view whose strides happen to be. */
    public static boolean isColumnMajor(INDArray a) {
        int[] reversed = new int[a.rank()];
        for (int d = 0; d < reversed.length; d++) {
            reversed[d] = reversed.length - 1 - d;
        }
        return is(a, reversed);
    }

    /** The order in which both arrays, of one shape, are dense; null when they have none in common. */
    static int[] common(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            return null;
        }
        int[] order = of(a);
        return order != null && Arrays.equals(order, of(b)) ? order : null;
    }

    /** The order of a c-ordered array of that rank: 0, 1, ..., rank - 1. */
    static int[] identity(int rank) {
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        return order;
    }

    /** {@code a}'s shape in {@code order}. */
    static long[] shape(INDArray a, int[] order) {
        return Arrays.stream(order).mapToLong(a::size).toArray();
    }

    /** {@code a} permuted into {@code order}: a dense row-major view of the same memory. */
    static INDArray view(INDArray a, int[] order) {
        return Arrays.equals(order, identity(order.length)) ? a : a.permute(order);
    }

    /** The permutation that undoes {@code order}. */
    static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inv[order[i]] = i;
        }
        return inv;
    }
}
