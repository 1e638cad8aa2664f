package io.sparklstm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PerThreadDropout's hashed masks: the kept share, the scale, independence of neighbours, reproducibility. */
class PerThreadDropoutTest {

    private static INDArray dropped(double retain, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray ones = Nd4j.ones(DataType.FLOAT, 64, 128, 28);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 64, 128, 28);
        return new PerThreadDropout(retain).applyDropout(ones, out, 0, 0, LayerWorkspaceMgr.noWorkspaces());
    }

    @Test
    void keepsTheRequestedShareScaledByItsInverse() {
        for (double retain : new double[] {0.7, 0.8, 0.5}) {
            float[] v = dropped(retain, 42).data().asFloat();
            int kept = 0;
            for (float x : v) {
                assertTrue(x == 0f || Math.abs(x - 1 / retain) < 1e-6, "value " + x);
                kept += x == 0f ? 0 : 1;
            }
            double share = kept / (double) v.length;
            // binomial: n = 229,376, sd of the share about 0.001; 5 sd of room
            assertEquals(retain, share, 0.005, "kept share at retain " + retain);
        }
    }

    @Test
    void neighboursAreIndependent() {
        float[] v = dropped(0.5, 7).data().asFloat();
        int bothKept = 0, pairs = 0;
        for (int i = 1; i < v.length; i++) {
            pairs++;
            bothKept += v[i] != 0 && v[i - 1] != 0 ? 1 : 0;
        }
        assertEquals(0.25, bothKept / (double) pairs, 0.005);
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        float[] a = dropped(0.7, 1).data().asFloat();
        assertArrayEquals(a, dropped(0.7, 1).data().asFloat());
        assertFalse(java.util.Arrays.equals(a, dropped(0.7, 2).data().asFloat()));
    }

    @Test
    void backpropUsesTheSameMask() {
        PerThreadDropout d = new PerThreadDropout(0.7);
        Nd4j.getRandom().setSeed(3);
        INDArray ones = Nd4j.ones(DataType.FLOAT, 16, 32);
        INDArray out = d.applyDropout(
                ones, Nd4j.createUninitialized(DataType.FLOAT, 16, 32), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        INDArray grad =
                d.backprop(Nd4j.ones(DataType.FLOAT, 16, 32), Nd4j.createUninitialized(DataType.FLOAT, 16, 32), 0, 0);
        assertEquals(out, grad);
    }

    /**
     * An element's mask value depends on its place in the tensor, not on the memory layout: c-ordered, f-ordered
     * and a time-major {@code [T, B, k]} array seen as {@code [B, k, T]} (FastLSTM's activations) get the same mask
     * from one seed, in place or into a new array; backward applies it through whatever layout the gradient has.
     */
    @Test
    void theMaskFollowsTheElementNotTheLayout() {
        long[] shape = {8, 16, 5};
        INDArray values = Nd4j.rand(DataType.FLOAT, shape).addi(1);
        INDArray timeMajor = values.permute(2, 0, 1).dup('c').permute(1, 2, 0);
        INDArray[] layouts = {values.dup('c'), values.dup('f'), timeMajor};
        assertArrayEquals(new long[] {16, 1, 8 * 16}, timeMajor.stride()); // neither c- nor f-ordered

        INDArray expected = null;
        for (INDArray in : layouts) {
            for (boolean inPlace : new boolean[] {true, false}) {
                INDArray input = in.dup(in.ordering());
                if (in == timeMajor) {
                    input = in.permute(2, 0, 1).dup('c').permute(1, 2, 0);
                }
                INDArray result = inPlace ? input : Nd4j.createUninitialized(DataType.FLOAT, shape);
                PerThreadDropout d = new PerThreadDropout(0.6);
                Nd4j.getRandom().setSeed(11);
                INDArray out = d.applyDropout(input, result, 0, 0, LayerWorkspaceMgr.noWorkspaces());
                if (expected == null) {
                    expected = out.dup();
                }
                assertEquals(
                        expected, out, "strides " + java.util.Arrays.toString(in.stride()) + ", in place " + inPlace);

                INDArray gradF = values.dup('f');
                INDArray backward = d.backprop(gradF, gradF, 0, 0);
                assertEquals(expected, backward, "backward through an f-ordered gradient");
            }
        }
    }
}
