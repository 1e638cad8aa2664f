package io.sparklstm.model.fastlstm;

import io.sparklstm.model.DenseOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense block of native FLOAT or DOUBLE memory seen three ways: as the ND4J array that owns it, as a
 * JavaCPP pointer for direct {@code cblas_?gemm} calls, and as a direct NIO buffer for element loops in Java.
 *
 * <p>Why not ND4J ops: every ND4J call costs microseconds of dispatch, and an LSTM step done with ND4J ops is
 * a dozen calls on tiny arrays. Going straight to OpenBLAS (the very library ND4J itself calls, through
 * {@link openblas_nolapack}) and doing the element-wise gate math in one fused Java loop removes that
 * overhead. Note that {@code INDArray.data().asNioFloat()} ignores a view's offset, whereas
 * {@code data().addressPointer()} honours it: this class therefore builds its NIO view from the address.</p>
 *
 * <p>All matrices handled here are row-major (C order) in BLAS terms; an f-ordered {@code [r, c]} ND4J
 * array is simply the row-major {@code [c, r]} transpose, which is how the LSTM weight views are used.</p>
 *
 * <p>Element loops do not run on this memory directly (NIO accesses defeat the JIT's vectorizer): they bulk-copy
 * rows to and from Java arrays ({@code read}/{@code write}, plain memcpy). A {@code NativeBuf} is not
 * thread-safe; each layer owns its own.</p>
 */
final class NativeBuf {

    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    /** The ND4J array that owns (or views) the memory; kept so the memory stays alive. */
    final INDArray array;

    final long length;
    private final boolean isFloat;
    private final long address;
    private final FloatBuffer fb;
    private final DoubleBuffer db;

    private NativeBuf(INDArray array) {
        DataType t = array.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new UnsupportedOperationException("FastLSTM supports FLOAT and DOUBLE only, got " + t);
        }
        if (array.length() > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("Array too large for FastLSTM: " + array.length());
        }
        this.array = array;
        this.length = array.length();
        this.isFloat = t == DataType.FLOAT;
        this.address = addressOf(array);
        if (isFloat) {
            this.fb = new FloatPointer(rawAt(address))
                    .capacity(length)
                    .limit(length)
                    .asBuffer();
            this.db = null;
        } else {
            this.db = new DoublePointer(rawAt(address))
                    .capacity(length)
                    .limit(length)
                    .asBuffer();
            this.fb = null;
        }
    }

    /** Allocates an uninitialised c-ordered array outside any workspace: owned by the caller, reused across calls. */
    static NativeBuf allocate(DataType type, long... shape) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new NativeBuf(Nd4j.createUninitializedDetached(type, 'c', shape));
        }
    }

    /**
     * Wraps a 2D array that is dense in column-major order (e.g. DL4J's f-ordered parameter and gradient views),
     * i.e. the row-major transpose {@code [size(1), size(0)]}.
     */
    static NativeBuf wrapDenseF(INDArray arr) {
        if (!isDenseF(arr)) {
            throw new IllegalStateException("Expected a dense f-ordered 2D array, got shape "
                    + java.util.Arrays.toString(arr.shape()) + " strides " + java.util.Arrays.toString(arr.stride()));
        }
        return new NativeBuf(arr);
    }

    /**
     * Wraps a FLOAT vector whose elements are adjacent in memory (element-wise stride 1), such as the views DL4J's
     * updater blocks hand to their updaters; null for any other array.
     */
    static NativeBuf wrapFloatVector(INDArray arr) {
        boolean fits = arr.isVectorOrScalar()
                && arr.elementWiseStride() == 1
                && arr.dataType() == DataType.FLOAT
                && arr.length() <= Integer.MAX_VALUE;
        return fits ? new NativeBuf(arr) : null;
    }

    /** The address of {@code arr}'s first element ({@code data().addressPointer()} already honours a view's offset). */
    static long addressOf(INDArray arr) {
        Pointer p = arr.data().addressPointer();
        return p.address() + p.position() * arr.dataType().width();
    }

    /**
     * Copies {@code length} elements starting at {@code src}'s first element into this buffer from element
     * {@code offset} on: one memcpy. The caller guarantees that {@code src} holds them contiguously, in the order
     * this buffer wants, and has this buffer's type.
     */
    void load(long offset, INDArray src, long length) {
        Pointer.memcpy(rawAt(address + offset * elementSize()), rawAt(addressOf(src)), length * elementSize());
    }

    /** Copies {@code dst.length()} elements from element {@code offset} on into {@code dst}: dense c, same type. */
    void store(long offset, INDArray dst) {
        if (dst.dataType() != array.dataType() || !DenseOrder.isRowMajor(dst)) {
            throw new IllegalArgumentException("Expected a dense c-ordered " + array.dataType() + " array, got "
                    + dst.dataType() + " strides " + java.util.Arrays.toString(dst.stride()));
        }
        Pointer.memcpy(rawAt(addressOf(dst)), rawAt(address + offset * elementSize()), dst.length() * elementSize());
    }

    private long elementSize() {
        return isFloat ? 4L : 8L;
    }

    /** Whether {@code a} is a 2D array dense in column-major order (size-1 dimensions may have any stride). */
    static boolean isDenseF(INDArray a) {
        return a.rank() == 2 && DenseOrder.isColumnMajor(a);
    }

    boolean isFloat() {
        return isFloat;
    }

    /** Bulk copy of {@code len} elements starting at {@code offset} into {@code dst} (a memcpy). FLOAT only. */
    void read(int offset, float[] dst, int len) {
        fb.get(offset, dst, 0, len);
    }

    /** Bulk copy of {@code len} elements of {@code src} to {@code offset}. FLOAT only. */
    void write(int offset, float[] src, int len) {
        fb.put(offset, src, 0, len);
    }

    /**
     * Scatters {@code rows} rows of {@code dst.length} blocks of {@code width} elements each, starting at
     * {@code offset}, into {@code dst}: block k of row r goes to {@code dst[k][r*width ...]}. One copy per block, so a
     * row-major {@code [rows, blocks*width]} matrix lands block-major without an intermediate array. FLOAT only.
     */
    void readBlocks(int offset, int width, float[][] dst, int rows) {
        int blocks = dst.length;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < blocks; k++) {
                fb.get(offset + (r * blocks + k) * width, dst[k], r * width, width);
            }
        }
    }

    /** The inverse of {@link #readBlocks}: gathers the blocks back into row-major rows. FLOAT only. */
    void writeBlocks(int offset, int width, float[][] src, int rows) {
        int blocks = src.length;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < blocks; k++) {
                fb.put(offset + (r * blocks + k) * width, src[k], r * width, width);
            }
        }
    }

    /** Bulk copy of {@code len} elements starting at {@code offset} into {@code dst}. DOUBLE only. */
    void read(int offset, double[] dst, int len) {
        db.get(offset, dst, 0, len);
    }

    /** Bulk copy of {@code len} elements of {@code src} to {@code offset}. DOUBLE only. */
    void write(int offset, double[] src, int len) {
        db.put(offset, src, 0, len);
    }

    private static Pointer rawAt(long addr) {
        return new Pointer() {
            {
                this.address = addr; // (a parameter named "address" would be shadowed by the field)
            }
        };
    }

    private Pointer at(long offset) {
        long a = address + offset * elementSize();
        return isFloat ? new FloatPointer(rawAt(a)) : new DoublePointer(rawAt(a));
    }

    /**
     * Row-major {@code C[m,n] = op(A)[m,k] * op(B)[k,n] + beta * C} of the given shape (dense operands), all three in
     * buffers of the same type; offsets are in elements. FLOAT products go to {@code engine} ({@code reuse}: see
     * {@link Reuse}); DOUBLE ones always to OpenBLAS's dgemm.
     */
    static void gemm(
            GemmEngine engine,
            GemmShape s,
            NativeBuf a,
            long offA,
            NativeBuf b,
            long offB,
            double beta,
            NativeBuf c,
            long offC,
            Reuse reuse) {
        if (c.isFloat) {
            engine.sgemm(
                    s,
                    (FloatPointer) a.at(offA),
                    (FloatPointer) b.at(offB),
                    (float) beta,
                    (FloatPointer) c.at(offC),
                    reuse);
        } else {
            openblas_nolapack.cblas_dgemm(
                    ROW_MAJOR,
                    s.transA() ? TRANS : NO_TRANS,
                    s.transB() ? TRANS : NO_TRANS,
                    s.m(),
                    s.n(),
                    s.k(),
                    1d,
                    (DoublePointer) a.at(offA),
                    s.lda(),
                    (DoublePointer) b.at(offB),
                    s.ldb(),
                    beta,
                    (DoublePointer) c.at(offC),
                    s.n());
        }
    }

    /** {@code y[n] = A[m,n]^T * x[m]} (row-major A, beta = 0): column sums when x is all ones. */
    static void gemvTrans(int m, int n, NativeBuf a, int lda, NativeBuf x, NativeBuf y) {
        if (y.isFloat) {
            openblas_nolapack.cblas_sgemv(
                    ROW_MAJOR,
                    TRANS,
                    m,
                    n,
                    1f,
                    (FloatPointer) a.at(0),
                    lda,
                    (FloatPointer) x.at(0),
                    1,
                    0f,
                    (FloatPointer) y.at(0),
                    1);
        } else {
            openblas_nolapack.cblas_dgemv(
                    ROW_MAJOR,
                    TRANS,
                    m,
                    n,
                    1d,
                    (DoublePointer) a.at(0),
                    lda,
                    (DoublePointer) x.at(0),
                    1,
                    0d,
                    (DoublePointer) y.at(0),
                    1);
        }
    }
}
