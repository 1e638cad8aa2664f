package io.sparklstm.model.fastlstm;

import io.sparklstm.config.GemmMode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with FastLSTM's products in FP32 ({@code --gemm fp32}) and restores {@link GemmSelection}'s
 * default ({@code auto}) afterwards. For tests that hold FastLSTM to FP32 tolerances against another implementation
 * (DL4J's stock layer, ONNX Runtime): under {@code auto} a CPU with AVX512_BF16 or AMX computes the products in BF16
 * wherever that is faster, and BF16 has tolerances of its own ({@link GemmEnginesTest}).
 */
public final class Fp32Gemm implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        GemmSelection.select(GemmMode.FP32, 1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        GemmSelection.select(GemmMode.AUTO, 1);
    }
}
