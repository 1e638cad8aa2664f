package io.sparklstm.model.fastlstm;

import static io.sparklstm.NetChecks.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.config.GemmMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * FastLSTM's GEMM engines ({@code --gemm}) against DL4J's stock LSTM on the network's real dimensions (28 inputs,
 * 128 units, 28 steps): every FP32 engine within the same 1e-4 as {@link FastLSTMEquivalenceTest}; BF16 within
 * the error its 8-bit mantissa allows (stated below); and the measuring mode's decisions.
 */
class GemmEnginesTest {

    private static final double FP32_TOL = 1e-4;

    /**
     * BF16 rounds each product input to 8 significant bits (relative error up to 2^-9 = 0.2 %); over three stacked
     * layers and 28 steps the errors partly cancel. Measured here: activations off by at most 0.0017, gradients by
     * 0.34 % of their norm (emulated BF16 on an AVX2 CPU, which has the same numerics). The bounds leave about 6x of
     * room.
     */
    private static final double BF16_ACTIVATION_TOL = 0.01;

    private static final double BF16_GRADIENT_REL_TOL = 0.02;

    @AfterEach
    void restoreDefault() {
        GemmSelection.select(GemmMode.AUTO, 1);
    }

    @ParameterizedTest
    @EnumSource(
            value = GemmMode.class,
            names = {"OPENBLAS", "ONEDNN", "FP32"})
    void fp32EnginesMatchTheStockLayer(GemmMode mode) {
        Pair p = forwardAndBackward(mode);
        System.out.printf(
                "%s: max |activation diff| %.3g, max |grad diff| %.3g%n", mode, p.activationDiff, p.gradientDiff);
        assertTrue(p.activationDiff < FP32_TOL, mode + " activations differ by " + p.activationDiff);
        assertTrue(p.gradientDiff < FP32_TOL, mode + " gradients differ by " + p.gradientDiff);
    }

    @Test
    void bf16StaysWithinItsStatedTolerance() {
        Pair p = forwardAndBackward(GemmMode.BF16);
        System.out.printf(
                "BF16: max |activation diff| %.3g, relative gradient error %.3g (max |grad diff| %.3g)%n",
                p.activationDiff, p.gradientRelError, p.gradientDiff);
        assertTrue(p.activationDiff < BF16_ACTIVATION_TOL, "BF16 activations differ by " + p.activationDiff);
        assertTrue(p.gradientRelError < BF16_GRADIENT_REL_TOL, "BF16 gradient error " + p.gradientRelError);
        // and it really ran in BF16: FP32 engines agree with the stock layer 100x closer
        assertTrue(p.activationDiff > FP32_TOL, "BF16 activations are as exact as FP32: " + p.activationDiff);
    }

    /**
     * The per-step products reuse their BF16 copy of the recurrent weights within a pass; a new pass must convert
     * them again. A network whose weights changed after a pass must give, bit for bit, what a fresh network with those
     * weights gives.
     */
    @Test
    void bf16ConvertsTheRecurrentWeightsAgainAfterAnUpdate() {
        GemmSelection.select(GemmMode.BF16, 1);
        int nIn = 28, hidden = 128, classes = 10, t = 28, batch = 16;
        MultiLayerNetwork reused = LstmNets.net(true, nIn, hidden, classes, t, DataType.FLOAT, new NoOp(), 1);
        MultiLayerNetwork fresh = LstmNets.net(true, nIn, hidden, classes, t, DataType.FLOAT, new NoOp(), 2);
        INDArray x = LstmNets.features(batch, nIn, t, DataType.FLOAT, 7);
        INDArray y = LstmNets.labels(batch, classes, DataType.FLOAT, 7);
        LstmNets.gradient(reused, x, y); // a forward and a backward pass with the first weights
        reused.setParams(fresh.params().dup());
        INDArray out = reused.output(x);
        INDArray gradient = LstmNets.gradient(reused, x, y);
        assertEquals(0.0, maxAbsDiff(fresh.output(x), out), "outputs after the weights changed");
        assertEquals(0.0, maxAbsDiff(LstmNets.gradient(fresh, x, y), gradient), "gradients after the weights changed");
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1.0f, Bf16Matmul.fromBf16(Bf16Matmul.bf16(1.0f)));
        assertEquals(1.0f, Bf16Matmul.fromBf16(Bf16Matmul.bf16(1.00195f))); // just below the halfway point 1 + 2^-9
        assertEquals(1.0078125f, Bf16Matmul.fromBf16(Bf16Matmul.bf16(1.0059f))); // just above it: rounds up
        assertEquals(-3.140625f, Bf16Matmul.fromBf16(Bf16Matmul.bf16(-3.1415927f)));
    }

    /**
     * The BF16 path converts its operands with a oneDNN reorder: it must round exactly as {@link Bf16Matmul#bf16}
     * (to nearest, ties to even), except that FP32 subnormals become zero.
     */
    @Test
    void oneDnnConversionRoundsLikeTheJavaReference() {
        java.util.Random random = new java.util.Random(11);
        float[] values = new float[100_003]; // not a multiple of any vector width
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (i % 4) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> (float) (random.nextGaussian() * 1e-30); // tiny and subnormal-adjacent
                // exactly halfway between two BF16 numbers: ties go to the even one
                case 2 -> Float.intBitsToFloat((random.nextInt() & 0xBFFF_0000) | 0x8000);
                default -> (float) (random.nextGaussian() * 1e30);
            };
        }
        short[] converted = Bf16Matmul.forThread().convertWithOneDnn(values);
        int subnormals = 0;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            boolean subnormal = v != 0 && Math.abs(v) < Float.MIN_NORMAL;
            if (subnormal) { // vcvtneps2bf16 reads FP32 subnormals as zero (below 1.2e-38: nothing a gradient misses)
                subnormals++;
                short flushed = Bf16Matmul.bf16(Math.copySign(0f, v));
                assertTrue(
                        converted[i] == flushed || converted[i] == Bf16Matmul.bf16(v),
                        "element " + i + ": " + v + " -> " + converted[i]);
            } else {
                assertEquals(Bf16Matmul.bf16(v), converted[i], "element " + i + ": " + v);
            }
        }
        assertTrue(subnormals > 0, "the fixture holds subnormal inputs");
    }

    @Test
    void measuringModeTimesBothFp32EnginesAndKeepsOneDnnUnlessClearlyBeaten() {
        GemmSelection.select(GemmMode.FP32, 1);
        forwardAndBackward(GemmMode.FP32);
        List<String> decisions = GemmSelection.decisions();
        // six product shapes per layer; layers 2 and 3 share theirs; of layer 1's (nIn 28), three are its own
        assertEquals(8, decisions.size(), String.join("\n", decisions));
        for (String d : decisions) {
            assertTrue(d.contains("openblas ") && d.contains("onednn ") && d.contains("GFLOP/s"), d);
            assertFalse(d.contains("bf16"), d);
            String winner = d.substring(d.indexOf("-> ") + 3);
            double blas = rate(d, "openblas ");
            double dnnl = rate(d, "onednn ");
            assertEquals(blas > dnnl * (1 + GemmSelection.MARGIN) ? "openblas" : "onednn", winner, d);
        }
    }

    @Test
    void onlyClearWinsReplaceOneDnn() {
        Map<GemmEngine, Double> close = new LinkedHashMap<>();
        close.put(GemmEngine.OPENBLAS, 94.0);
        close.put(GemmEngine.ONEDNN, 85.0); // OpenBLAS 10.6 % faster: within the margin
        assertEquals(GemmEngine.ONEDNN, GemmSelection.choose(close));
        close.put(GemmEngine.OPENBLAS, 83.4);
        close.put(GemmEngine.ONEDNN, 62.6); // 33 % faster: a clear win
        assertEquals(GemmEngine.OPENBLAS, GemmSelection.choose(close));
        assertEquals(GemmEngine.OPENBLAS, GemmSelection.choose(Map.of(GemmEngine.OPENBLAS, 1.0)));
    }

    /**
     * {@code auto} decides the precision once, from the CPU's capability rather than a timing (one line says so), and
     * then computes every shape in it: BF16 throughout where the CPU has native BF16 products, elsewhere the FP32
     * engines timed shape by shape as in {@code fp32}.
     */
    @Test
    void autoDecidesOnePrecisionForTheWholeNetwork() {
        GemmSelection.select(GemmMode.AUTO, 1);
        forwardAndBackward(GemmMode.AUTO);
        List<String> decisions = GemmSelection.decisions();
        String all = String.join("\n", decisions);
        boolean bf16 = GemmSelection.cpuHasNativeBf16();
        assertEquals(bf16, GemmSelection.autoPrecisionIsBf16(), all);
        assertEquals(
                bf16,
                decisions.get(0).equals("precision: bf16 (oneDNN reports native BF16 products on this CPU)"),
                all);
        assertTrue(decisions.stream().noneMatch(d -> d.contains("bf16 ") && d.contains("GFLOP/s")), all);
        List<String> shapes = decisions.subList(bf16 ? 1 : 0, decisions.size());
        assertEquals(8, shapes.size(), all);
        for (String d : shapes) {
            if (bf16) {
                assertTrue(d.endsWith(": bf16 (auto's precision)"), d);
            } else {
                assertTrue(d.contains("openblas ") && d.contains("onednn ") && !d.contains("bf16"), d);
            }
        }
    }

    private static double rate(String decision, String engine) {
        int at = decision.indexOf(engine) + engine.length();
        return Double.parseDouble(decision.substring(at, decision.indexOf(' ', at)));
    }

    private record Pair(double activationDiff, double gradientDiff, double gradientRelError) {}

    private static Pair forwardAndBackward(GemmMode mode) {
        GemmSelection.select(mode, 1);
        int nIn = 28, hidden = 128, classes = 10, t = 28, batch = 16;
        MultiLayerNetwork stock = LstmNets.net(false, nIn, hidden, classes, t, DataType.FLOAT, new NoOp(), 12345);
        MultiLayerNetwork fast = LstmNets.net(true, nIn, hidden, classes, t, DataType.FLOAT, new NoOp(), 1);
        fast.setParams(stock.params().dup());
        INDArray x = LstmNets.features(batch, nIn, t, DataType.FLOAT, 7);
        INDArray y = LstmNets.labels(batch, classes, DataType.FLOAT, 7);
        List<INDArray> a = stock.feedForward(x, false);
        List<INDArray> b = fast.feedForward(x, false);
        double activationDiff = 0;
        for (int i = 0; i < a.size(); i++) {
            activationDiff = Math.max(activationDiff, maxAbsDiff(a.get(i), b.get(i)));
        }
        INDArray gs = LstmNets.gradient(stock, x, y).castTo(DataType.DOUBLE);
        INDArray gf = LstmNets.gradient(fast, x, y).castTo(DataType.DOUBLE);
        double rel = gs.sub(gf).norm2Number().doubleValue() / gs.norm2Number().doubleValue();
        return new Pair(activationDiff, maxAbsDiff(gs, gf), rel);
    }
}
