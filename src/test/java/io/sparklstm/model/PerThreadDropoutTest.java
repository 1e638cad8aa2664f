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
}
