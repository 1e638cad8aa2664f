package io.sparklstm.model.fastlstm;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BF16 products through oneDNN's matmul primitive: A and B are rounded to BF16 (round to nearest even) into this
 * thread's scratch buffers, multiplied with FP32 accumulation, and written to (or, with {@code beta = 1}, added to)
 * the FP32 output. One instance per thread (oneDNN streams and the scratch buffers are not shared); primitives are
 * created once per shape and reused.
 *
 * <p>The conversion is a oneDNN reorder primitive (round to nearest even; FP32 subnormals, below 1.2e-38, become
 * zero). A and B are converted on every call, except an operand the caller promises unchanged ({@link Reuse}) whose
 * copy is still here: the recurrent weights, converted once per pass instead of at each of the 28 steps, and dL/dZ,
 * converted once for the three gradient products that read it.
 * {@link GemmSelection} times the products the same way, conversion included, so BF16 is only chosen where it still
 * wins. Measured on a 2-core Zen 5 (AVX512_BF16), per product: the per-step products 102-111 GFLOP/s with both
 * operands converted at every step in Java, 220-250 with the reorder and the weights' copy kept, against 160-220
 * for FP32 {@code dnnl_sgemm}; the whole-sequence products 260-310 against 150-220.</p>
 *
 * <p><b>Without BF16 hardware.</b> oneDNN 2.5 implements BF16 matmul only from AVX512_CORE up (on AVX2 it answers
 * "unimplemented"). There the products are <i>emulated</i>: A and B are rounded to BF16 in Java ({@link #bf16}) and
 * multiplied with FP32 {@code dnnl_sgemm}. A product of two BF16 numbers is exact in FP32 (8 + 8 significant bits),
 * so this gives the BF16 path's numerics (only the summation order may differ), at FP32 speed or below: it lets the
 * numerics be tested and compared on any CPU, and {@link GemmSelection} never picks it by itself.</p>
 */
final class Bf16Matmul {

    private static final Logger log = LoggerFactory.getLogger(Bf16Matmul.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final ThreadLocal<Bf16Matmul> PER_THREAD = ThreadLocal.withInitial(Bf16Matmul::new);

    private final dnnl_engine engine;
    private final dnnl_stream stream;
    private final Map<Key, Primitive> primitives = new HashMap<>();
    private final Map<Long, Reorder> reorders = new HashMap<>();
    private ShortPointer aBf16 = new ShortPointer(1);
    private ShortPointer bBf16 = new ShortPointer(1);
    private FloatPointer aRounded = new FloatPointer(1);
    private FloatPointer bRounded = new FloatPointer(1);
    private boolean emulated;
    /** Where the A and B scratch buffers' contents were converted from (nowhere at first). */
    private Source aSource = Source.NOWHERE;

    private Source bSource = Source.NOWHERE;
    private float[] floats = new float[0];

    private Bf16Matmul() {
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(dnnl.dnnl_engine_create(out, dnnl_cpu, 0), "dnnl_engine_create");
        engine = new dnnl_engine(out.get(0));
        check(dnnl.dnnl_stream_create(out, engine, dnnl_stream_default_flags), "dnnl_stream_create");
        stream = new dnnl_stream(out.get(0));
    }

    static Bf16Matmul forThread() {
        return PER_THREAD.get();
    }

    /**
     * Row-major {@code C[m,n] = bf16(op(A)) bf16(op(B)) + beta C}; {@code beta} must be 0 or 1. The BF16 copy of the
     * operand named by {@code reuse} is reused when the last one of its kind converted came from the same address and
     * length.
     */
    void multiply(GemmShape s, FloatPointer a, FloatPointer b, float beta, FloatPointer c, Reuse reuse) {
        if (beta != 0f && beta != 1f) {
            throw new IllegalArgumentException("BF16 matmul supports beta 0 or 1, got " + beta);
        }
        Key key = new Key(s, beta != 0f);
        Primitive p = emulated ? null : primitives.computeIfAbsent(key, this::create);
        if (p == null && !emulated) {
            aSource = bSource = Source.NOWHERE; // the native path's scratch buffers are not the emulated path's
            emulated = true;
            if (WARNED.compareAndSet(false, true)) {
                log.warn(
                        "oneDNN has no BF16 matmul for this CPU (effective ISA {}): BF16 products are emulated"
                                + " (BF16-rounded inputs, FP32 sgemm): BF16 numerics without its speed",
                        dnnl.dnnl_get_effective_cpu_isa());
            }
        }
        Source fromA = new Source(a.address(), s.aElements());
        Source fromB = new Source(b.address(), s.bElements());
        boolean newA = reuse != Reuse.A || !fromA.equals(aSource);
        boolean newB = reuse != Reuse.B || !fromB.equals(bSource);
        aSource = fromA;
        bSource = fromB;
        if (p == null) {
            if (newA) {
                aRounded = rounded(a, s.aElements(), aRounded);
            }
            if (newB) {
                bRounded = rounded(b, s.bElements(), bRounded);
            }
            GemmEngine.ONEDNN.sgemm(s, aRounded, bRounded, beta, c);
            return;
        }
        if (newA) {
            aBf16 = toBf16(a, s.aElements(), aBf16);
        }
        if (newB) {
            bBf16 = toBf16(b, s.bElements(), bBf16);
        }
        p.run(stream, aBf16, bBf16, c);
    }

    /** Where a scratch buffer's contents were converted from: address and element count. */
    private record Source(long address, long elements) {
        static final Source NOWHERE = new Source(0, -1);
    }

    /** src's first {@code len} floats, rounded to BF16 values, as floats in {@code dst} (grown when too small). */
    private FloatPointer rounded(FloatPointer src, long len, FloatPointer dst) {
        int n = load(src, len);
        for (int i = 0; i < n; i++) {
            floats[i] = fromBf16(bf16(floats[i]));
        }
        if (dst.capacity() < n) {
            dst.close();
            dst = new FloatPointer(n);
        }
        dst.put(floats, 0, n);
        return dst;
    }

    /**
     * src's first {@code len} floats as BF16 numbers in {@code dst} (grown when too small), converted by a oneDNN
     * reorder primitive (one per length, JIT-compiled for this CPU: {@code vcvtneps2bf16} where the CPU has it). It
     * rounds to nearest even like {@link #bf16}, at a small fraction of the cost of a loop in Java over copies of the
     * operands on the heap, which made the conversion of a per-step product's inputs as slow as the product itself.
     */
    private ShortPointer toBf16(FloatPointer src, long len, ShortPointer dst) {
        if (dst.capacity() < len) {
            dst.close();
            dst = new ShortPointer(len);
        }
        reorders.computeIfAbsent(len, this::createReorder).run(stream, src, dst);
        return dst;
    }

    /** {@code values} converted by the reorder primitive that {@link #multiply} uses (for the tests). */
    short[] convertWithOneDnn(float[] values) {
        try (FloatPointer src = new FloatPointer(values);
                ShortPointer dst = toBf16(src, values.length, new ShortPointer(values.length))) {
            short[] out = new short[values.length];
            dst.get(out);
            return out;
        }
    }

    private Reorder createReorder(long len) {
        dnnl_memory_desc_t from = desc(1, len, dnnl_f32, len, 1);
        dnnl_memory_desc_t to = desc(1, len, dnnl_bf16, len, 1);
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(dnnl.dnnl_reorder_primitive_desc_create(out, from, engine, to, engine, null), "reorder f32 -> bf16");
        dnnl_primitive_desc pd = new dnnl_primitive_desc(out.get(0));
        check(dnnl.dnnl_primitive_create(out, pd), "dnnl_primitive_create");
        return new Reorder(new dnnl_primitive(out.get(0)), memory(from), memory(to));
    }

    /** Copies src's first {@code len} floats into the scratch array {@code floats}; returns the count. */
    private int load(FloatPointer src, long len) {
        int n = Math.toIntExact(len);
        if (floats.length < n) {
            floats = new float[n];
        }
        src.get(floats, 0, n);
        return n;
    }

    /** FP32 to BF16, round to nearest even (finite inputs; a NaN stays a NaN or becomes an infinity). */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The FP32 value of a BF16 number. */
    static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /** The matmul primitive for this shape, or null where oneDNN has no BF16 implementation for this CPU. */
    private Primitive create(Key key) {
        GemmShape s = key.shape;
        dnnl_memory_desc_t src = desc(s.m(), s.k(), dnnl_bf16, s.transA() ? 1 : s.lda(), s.transA() ? s.lda() : 1);
        dnnl_memory_desc_t weights = desc(s.k(), s.n(), dnnl_bf16, s.transB() ? 1 : s.ldb(), s.transB() ? s.ldb() : 1);
        dnnl_memory_desc_t dst = desc(s.m(), s.n(), dnnl_f32, s.n(), 1);
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        check(dnnl.dnnl_matmul_desc_init(op, src, weights, null, dst), "dnnl_matmul_desc_init");
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(dnnl.dnnl_primitive_attr_create(out), "dnnl_primitive_attr_create");
        dnnl_primitive_attr attr = new dnnl_primitive_attr(out.get(0));
        if (key.accumulate) {
            check(dnnl.dnnl_post_ops_create(out), "dnnl_post_ops_create");
            dnnl_post_ops ops = new dnnl_post_ops(out.get(0));
            check(dnnl.dnnl_post_ops_append_sum(ops, 1f), "dnnl_post_ops_append_sum");
            check(dnnl.dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops");
        }
        int status = dnnl.dnnl_primitive_desc_create(out, new const_dnnl_op_desc_t(op), attr, engine, null);
        if (status == dnnl.dnnl_unimplemented) {
            return null;
        }
        check(status, "BF16 matmul primitive " + s);
        dnnl_primitive_desc pd = new dnnl_primitive_desc(out.get(0));
        check(dnnl.dnnl_primitive_create(out, pd), "dnnl_primitive_create");
        dnnl_primitive prim = new dnnl_primitive(out.get(0));
        return new Primitive(prim, memory(src), memory(weights), memory(dst));
    }

    private dnnl_memory_desc_t desc(long rows, long cols, int type, long rowStride, long colStride) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(
                dnnl.dnnl_memory_desc_init_by_strides(
                        d, 2, new long[] {rows, cols}, type, new long[] {rowStride, colStride}),
                "dnnl_memory_desc_init_by_strides");
        return d;
    }

    private dnnl_memory memory(dnnl_memory_desc_t d) {
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(dnnl.dnnl_memory_create(out, d, engine, null), "dnnl_memory_create");
        return new dnnl_memory(out.get(0));
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException(what + " failed: oneDNN status " + status);
        }
    }

    private record Key(GemmShape shape, boolean accumulate) {}

    /** A matmul primitive with its three memory objects; handles are re-pointed on every call. */
    private record Primitive(
            dnnl_primitive prim, dnnl_memory src, dnnl_memory weights, dnnl_memory dst, dnnl_exec_arg_t args) {

        Primitive(dnnl_primitive prim, dnnl_memory src, dnnl_memory weights, dnnl_memory dst) {
            this(
                    prim,
                    src,
                    weights,
                    dst,
                    execArgs(new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST}, src, weights, dst));
        }

        void run(dnnl_stream stream, Pointer a, Pointer b, Pointer c) {
            check(dnnl.dnnl_memory_set_data_handle(src, a), "dnnl_memory_set_data_handle");
            check(dnnl.dnnl_memory_set_data_handle(weights, b), "dnnl_memory_set_data_handle");
            check(dnnl.dnnl_memory_set_data_handle(dst, c), "dnnl_memory_set_data_handle");
            check(dnnl.dnnl_primitive_execute(prim, stream, 3, args), "dnnl_primitive_execute");
            check(dnnl.dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
    }

    /** An f32-to-bf16 reorder of one length, with its two memory objects; handles are re-pointed on every call. */
    private record Reorder(dnnl_primitive prim, dnnl_memory from, dnnl_memory to, dnnl_exec_arg_t args) {

        Reorder(dnnl_primitive prim, dnnl_memory from, dnnl_memory to) {
            this(prim, from, to, execArgs(new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, from, to));
        }

        void run(dnnl_stream stream, Pointer src, Pointer dst) {
            check(dnnl.dnnl_memory_set_data_handle(from, src), "dnnl_memory_set_data_handle");
            check(dnnl.dnnl_memory_set_data_handle(to, dst), "dnnl_memory_set_data_handle");
            check(dnnl.dnnl_primitive_execute(prim, stream, 2, args), "dnnl_primitive_execute");
            check(dnnl.dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
    }

    /** A primitive's execution arguments, built once: argument kinds and their memory objects, pairwise. */
    private static dnnl_exec_arg_t execArgs(int[] kinds, dnnl_memory... memories) {
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            args.position(i).arg(kinds[i]).memory(memories[i]);
        }
        return args.position(0);
    }
}
