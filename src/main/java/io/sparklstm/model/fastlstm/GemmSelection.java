package io.sparklstm.model.fastlstm;

import io.sparklstm.config.GemmMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link GemmEngine} computes each of FastLSTM's product shapes in this JVM ({@code --gemm}).
 *
 * <h2>Why measure instead of reading CPU flags</h2>
 * The layer's products are small and oddly shaped ({@code [64 x 128] x [128 x 512]} per recurrent step,
 * {@code [1792 x 28] x [28 x 512]} for the first layer's input projection), and what wins there depends on each
 * library's kernels for this CPU: on this project's 2-core AMD EPYC (Zen 3, AVX2) oneDNN ran the recurrent step at
 * 88 GFLOP/s against OpenBLAS's 61, but OpenBLAS the weight gradients {@code [512 x 1792] x [1792 x 128]} at 75
 * against 66. So the measuring modes time every candidate at every shape the first time a layer needs that shape
 * (about 30 ms per engine and shape, so well under a second per JVM, once), keep oneDNN unless another engine is
 * clearly faster ({@link #choose}: by more than 15 %), and log the figures. The engines' timing blocks alternate, so
 * that load from elsewhere on the machine (another executor training on the same cores) slows all of them rather
 * than the one being timed. A network rebuilt every averaging round finds its shapes already decided.
 *
 * <h2>BF16: a precision for the whole JVM, not an engine per shape</h2>
 * {@link GemmEngine#BF16} halves the bytes and, on CPUs with AVX512_BF16 or AMX, doubles the multiply rate, at the
 * price of an 8-bit mantissa on the products' inputs (accumulation, outputs, weights and updater state stay FP32).
 * {@link GemmMode#AUTO} computes every shape in BF16 where oneDNN reports such an ISA ({@link #autoPrecisionIsBf16}).
 * Elsewhere oneDNN has no BF16 matmul, {@link Bf16Matmul} emulates the products at FP32 speed or below, and the mode
 * is exactly {@link GemmMode#FP32}. {@link GemmMode#BF16} forces it anyway.
 *
 * <p>Why a capability and not a timing: the precision decides the numbers a seed trains to, so it must not depend on
 * what else the machine was doing when it was chosen. A first version also required BF16 to beat the FP32 engines at
 * the recurrent step in a timing taken when the first layer ran. BF16 led by 1.3-1.7 times in most runs, but by only
 * 8 % in one local[2] run (200.8 against 186.0 GFLOP/s), and in the bench's standalone-cluster runs the driver, timing
 * while the executors trained on the same cores, measured BF16 at half of FP32 (72.6 against 139 GFLOP/s) and
 * evaluated the model in FP32. A timing that close, or that loaded, can put the same seed in another precision from
 * one run, or one JVM, to the next. With native BF16 products the BF16 matmul has twice the multiply rate and half
 * the bytes, so it is the faster precision at these shapes.</p>
 *
 * <p>Why not per shape: two FP32 engines differ only in the order of their sums (relative rounding 2^-24), BF16
 * rounds the products' inputs to 2^-9. Letting BF16 compete shape by shape (as a first version did) let timing noise
 * put part of the network in another precision from one JVM to the next: the first layer's small products measured
 * within 10-30 % of FP32 in both directions on a Zen 5 (its input projection {@code 1792 x 512 x 28} 206-232 GFLOP/s
 * in BF16 against 161-181 in FP32, its weight gradient {@code 512 x 28 x 1792} 126-181 against 152-188), and an
 * evaluation shape timed while the other core trained once measured 111 against 175. The same seed then trained
 * partly in FP32 in one run and in BF16 in the next. One precision for all shapes repeats from JVM to JVM; the price
 * is at most about 0.1 ms per minibatch (of about 30) on the first layer's weight gradient.</p>
 *
 * <p>DOUBLE networks always use OpenBLAS's dgemm.</p>
 */
public final class GemmSelection {

    private static final Logger log = LoggerFactory.getLogger(GemmSelection.class);

    /** How much faster than oneDNN another engine must be to be chosen instead; see {@link #choose}. */
    static final double MARGIN = 0.15;

    /**
     * The steps per pass assumed when timing a per-step product ({@link GemmShape#bRepeats()}): MNIST's 28 rows. Its
     * B is converted once every this many calls; longer sequences only make the per-step products cheaper.
     */
    private static final int STEPS_PER_PASS = 28;

    /** Work of one timing block; the best of {@link #BLOCKS} blocks per engine counts. */
    private static final double BLOCK_FLOP = 0.8e9;

    private static final int BLOCKS = 3;

    private static GemmMode mode = GemmMode.AUTO;
    /** Counts mode changes, so that kernels built earlier know to ask again ({@link #generation}). */
    private static volatile int generation;

    /** The FP32 engines that {@link GemmMode#FP32} (and {@link GemmMode#AUTO} in FP32) time at each shape. */
    private static final List<GemmEngine> FP32_ENGINES = List.of(GemmEngine.OPENBLAS, GemmEngine.ONEDNN);

    private static final Map<GemmShape, Choice> chosen = new LinkedHashMap<>();

    /** {@link GemmMode#AUTO}'s precision in this JVM, once decided. */
    private static Choice autoPrecision;

    private GemmSelection() {}

    /**
     * Sets the mode and the native threads per task for this JVM. Idempotent; a different mode forgets earlier
     * decisions (layers built afterwards decide again).
     */
    public static synchronized void select(GemmMode newMode, int threadsPerTask) {
        NativeCap.set(threadsPerTask);
        if (newMode != mode) {
            mode = newMode;
            chosen.clear();
            autoPrecision = null;
            generation++;
        }
    }

    /** Changes whenever a new mode makes earlier {@link #engineFor} answers stale. */
    static int generation() {
        return generation;
    }

    /** Whether oneDNN reports native BF16 products on this CPU (AVX512_BF16 or AMX). */
    public static boolean cpuHasNativeBf16() {
        try {
            int isa = dnnl.dnnl_get_effective_cpu_isa();
            int bf16 = dnnl.dnnl_cpu_isa_avx512_core_bf16;
            return (isa & bf16) == bf16;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return false;
        }
    }

    /**
     * One line per shape decided so far in this JVM (shape, each candidate's GFLOP/s, the winner), after
     * {@link GemmMode#AUTO}'s precision line when it was measured.
     */
    public static synchronized List<String> decisions() {
        List<String> lines = new ArrayList<>();
        if (autoPrecision != null) {
            lines.add("precision: " + autoPrecision);
        }
        chosen.forEach((shape, choice) -> lines.add(shape + ": " + choice));
        return lines;
    }

    /** The engine for a product of this shape, timing the candidates first if the shape is new. */
    static synchronized GemmEngine engineFor(GemmShape shape) {
        return chosen.computeIfAbsent(shape, GemmSelection::decide).engine;
    }

    private static Choice decide(GemmShape shape) {
        List<GemmEngine> candidates = candidates();
        if (candidates.size() == 1) {
            return new Choice(candidates.get(0), Map.of(), mode == GemmMode.AUTO ? "auto's precision" : "forced");
        }
        Map<GemmEngine, Double> rates = measureAll(candidates, shape);
        Choice choice = new Choice(choose(rates), rates, null);
        log.info("GEMM {} ({}): {}", shape, mode.name().toLowerCase(Locale.ROOT), choice);
        return choice;
    }

    /**
     * The engine to use given each candidate's rate: oneDNN, unless another engine beats it by more than
     * {@link #MARGIN}. Timings of one shape vary by a few percent from JVM to JVM; picking the outright fastest would
     * let two JVMs (two runs, a resumed run, a replacement executor) round the same product differently whenever the
     * engines are close. With the margin only clear wins count, so the choice repeats from JVM to JVM in practice; a
     * close call costs at most that margin on one shape.
     */
    static GemmEngine choose(Map<GemmEngine, Double> rates) {
        GemmEngine reference = rates.containsKey(GemmEngine.ONEDNN)
                ? GemmEngine.ONEDNN
                : rates.keySet().iterator().next();
        GemmEngine best = reference;
        for (Map.Entry<GemmEngine, Double> e : rates.entrySet()) {
            if (e.getValue() > rates.get(reference) * (1 + MARGIN) && e.getValue() > rates.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    /**
     * Whether {@link GemmMode#AUTO} computes in BF16 in this JVM: where the CPU has native BF16 products. Logged once
     * per JVM and mode.
     */
    static synchronized boolean autoPrecisionIsBf16() {
        if (autoPrecision == null && cpuHasNativeBf16()) {
            autoPrecision = new Choice(GemmEngine.BF16, Map.of(), "oneDNN reports native BF16 products on this CPU");
            log.info("GEMM precision (auto): {}", autoPrecision);
        }
        return autoPrecision != null;
    }

    /**
     * Each engine's GFLOP/s at this shape, in the engines' order: two warm-up calls each, then {@link #BLOCKS}
     * rounds in which every engine times one block, the best block counting. An engine that cannot run here rates 0.
     */
    private static Map<GemmEngine, Double> measureAll(List<GemmEngine> engines, GemmShape s) {
        int reps = (int) Math.max(2, Math.ceil(BLOCK_FLOP / s.flop()));
        Map<GemmEngine, Long> bestNanos = new LinkedHashMap<>();
        try (FloatPointer a = filled(s.aElements());
                FloatPointer b = filled(s.bElements());
                FloatPointer c = filled(s.cElements())) {
            for (GemmEngine engine : engines) {
                if (warmUp(engine, s, a, b, c)) {
                    bestNanos.put(engine, Long.MAX_VALUE);
                }
            }
            for (int block = 0; block < BLOCKS; block++) {
                for (GemmEngine engine : bestNanos.keySet()) {
                    long start = System.nanoTime();
                    for (int r = 0; r < reps; r++) {
                        // a per-step product reads a new B once per pass of STEPS_PER_PASS steps
                        engine.sgemm(s, a, b, 1f, c, s.bRepeats() && r % STEPS_PER_PASS != 0 ? Reuse.B : Reuse.NONE);
                    }
                    bestNanos.merge(engine, System.nanoTime() - start, Math::min);
                }
            }
        }
        Map<GemmEngine, Double> rates = new LinkedHashMap<>();
        for (GemmEngine engine : engines) {
            Long nanos = bestNanos.get(engine);
            rates.put(engine, nanos == null ? 0 : s.flop() * reps / nanos);
        }
        return rates;
    }

    /** Two untimed calls; false (with a warning) if the engine cannot run here. */
    private static boolean warmUp(GemmEngine engine, GemmShape s, FloatPointer a, FloatPointer b, FloatPointer c) {
        try {
            engine.sgemm(s, a, b, 0f, c);
            engine.sgemm(s, a, b, 0f, c);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
            log.warn("GEMM engine {} unavailable here ({}); not used", engine.label(), e.toString());
            return false;
        }
    }

    private static List<GemmEngine> candidates() {
        switch (mode) {
            case OPENBLAS:
                return List.of(GemmEngine.OPENBLAS);
            case ONEDNN:
                return List.of(GemmEngine.ONEDNN);
            case BF16:
                return List.of(GemmEngine.BF16);
            case FP32:
                return FP32_ENGINES;
            default:
                return autoPrecisionIsBf16() ? List.of(GemmEngine.BF16) : FP32_ENGINES;
        }
    }

    private static FloatPointer filled(long elements) {
        FloatPointer p = new FloatPointer(elements);
        for (long i = 0; i < elements; i++) {
            p.put(i, (float) ((i % 97) - 48) / 97f);
        }
        return p;
    }

    /** The winner and what every candidate measured (empty when only one engine was allowed, and why). */
    private record Choice(GemmEngine engine, Map<GemmEngine, Double> gflops, String unmeasured) {
        @Override
        public String toString() {
            if (gflops.isEmpty()) {
                return engine.label() + " (" + unmeasured + ")";
            }
            StringBuilder sb = new StringBuilder();
            gflops.forEach((e, r) -> sb.append(e.label())
                    .append(' ')
                    .append(String.format(Locale.ROOT, "%.1f", r))
                    .append(" GFLOP/s, "));
            return sb.append("-> ").append(engine.label()).toString();
        }
    }
}
