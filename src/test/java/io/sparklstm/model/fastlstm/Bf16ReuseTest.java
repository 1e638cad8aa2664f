package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * The BF16 path's reuse of converted operands ({@link Reuse}), at the shapes of FastLSTM's gradient products: a
 * promised-unchanged operand is not read again (shown by changing it behind the promise), and only a copy made from
 * the same memory is reused, so the products of a backward pass equal products computed from scratch, bit for bit.
 */
class Bf16ReuseTest {

    private static final int ROWS = 64, G = 32, N_IN = 16, N = 24;
    private static final GemmShape WEIGHT_GRAD = new GemmShape(true, false, G, N_IN, ROWS, false); // dZ^T X
    private static final GemmShape RECURRENT_WEIGHT_GRAD = new GemmShape(true, false, G, N, ROWS, false); // dZ^T H
    private static final GemmShape INPUT_GRAD = new GemmShape(false, false, ROWS, N_IN, G, false); // dZ W^T

    private final SplittableRandom random = new SplittableRandom(5);
    private final Bf16Matmul bf16 = Bf16Matmul.forThread();

    @Test
    void dZIsConvertedOnceForTheThreeGradientProductsWithTheSameResults() {
        float[] dz = values(ROWS * G);
        float[] x = values(ROWS * N_IN);
        float[] h = values(ROWS * N);
        float[] w = values(G * N_IN);
        try (FloatPointer pdz = new FloatPointer(dz);
                FloatPointer px = new FloatPointer(x);
                FloatPointer ph = new FloatPointer(h);
                FloatPointer pw = new FloatPointer(w)) {
            float[] wGrad = product(WEIGHT_GRAD, pdz, px, Reuse.NONE);
            float[] rwGrad = product(RECURRENT_WEIGHT_GRAD, pdz, ph, Reuse.NONE);
            float[] inGrad = product(INPUT_GRAD, pdz, pw, Reuse.NONE);

            // the backward pass's sequence: convert dZ once, reuse it twice
            assertArrayEquals(wGrad, product(WEIGHT_GRAD, pdz, px, Reuse.NONE));
            assertArrayEquals(rwGrad, product(RECURRENT_WEIGHT_GRAD, pdz, ph, Reuse.A));
            assertArrayEquals(inGrad, product(INPUT_GRAD, pdz, pw, Reuse.A));

            // behind the promise, dZ changes: the promised product still sees the old dZ, a new one sees the new
            float[] changed = values(ROWS * G);
            pdz.put(changed);
            assertArrayEquals(inGrad, product(INPUT_GRAD, pdz, pw, Reuse.A), "the converted copy was reused");
            float[] fresh = product(INPUT_GRAD, pdz, pw, Reuse.NONE);
            assertFalse(Arrays.equals(inGrad, fresh), "without the promise, A is converted again");

            // a copy made from other memory is never taken for A: the promise is checked against address and length
            try (FloatPointer copy = new FloatPointer(changed)) {
                product(INPUT_GRAD, copy, pw, Reuse.NONE);
                pdz.put(dz);
                assertArrayEquals(inGrad, product(INPUT_GRAD, pdz, pw, Reuse.A), "converted from pdz, not the copy");
            }
        }
    }

    private float[] product(GemmShape s, FloatPointer a, FloatPointer b, Reuse reuse) {
        try (FloatPointer c = new FloatPointer(new float[s.m() * s.n()])) {
            bf16.multiply(s, a, b, 0f, c, reuse);
            float[] out = new float[s.m() * s.n()];
            c.get(out);
            return out;
        }
    }

    private float[] values(int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}
