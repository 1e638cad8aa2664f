package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float activations against {@code Math.tanh} and the exact logistic function, on the path this CPU takes. */
class FloatGatesTest {

    @Test
    void activationsAreFloatAccurateEverywhere() {
        double worstTanh = 0;
        double worstSigmoid = 0;
        for (int i = -400_000; i <= 400_000; i++) {
            float x = i * 5e-5f; // [-20, 20] in steps of 5e-5
            worstTanh = Math.max(worstTanh, Math.abs(FloatGates.tanh(x) - Math.tanh(x)));
            worstSigmoid = Math.max(worstSigmoid, Math.abs(FloatGates.sigmoid(x) - 1 / (1 + Math.exp(-x))));
        }
        String path = FloatGates.FMA ? "fused multiply-add" : "separate multiply and add";
        assertTrue(worstTanh < 1e-6, "tanh (" + path + ") off by " + worstTanh);
        assertTrue(worstSigmoid < 1e-6, "sigmoid (" + path + ") off by " + worstSigmoid);
        for (float huge : new float[] {1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) { // clamped, never NaN
            assertTrue(
                    Math.abs(FloatGates.tanh(huge) - 1) < 1e-6 && Math.abs(FloatGates.tanh(-huge) + 1) < 1e-6,
                    "" + huge);
            assertTrue(
                    Math.abs(FloatGates.sigmoid(huge) - 1) < 1e-6 && Math.abs(FloatGates.sigmoid(-huge)) < 1e-6,
                    "" + huge);
        }
    }
}
