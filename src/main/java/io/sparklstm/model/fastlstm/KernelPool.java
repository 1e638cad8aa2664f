package io.sparklstm.model.fastlstm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The calling thread's {@link LstmKernel}s, one per layer slot, lent to whichever {@link FastLSTMLayer} runs there.
 *
 * <p>Why: dl4j-spark builds a new network for every averaging round (from the round's broadcast), so kernels owned by
 * layers were allocated, zeroed and garbage-collected every round (then 20 minibatches): about 11 MB of native and
 * heap buffers per layer, 2.7 % of a Spark task's time in one profile, and native memory that only the Java GC
 * returned (a step of several hundred MiB of resident memory in local mode). A thread trains one network at a time,
 * so the next round's network on the same thread can take over the same buffers.</p>
 *
 * <p>Safety: a kernel remembers the layer whose forward state it holds ({@link LstmKernel#holdsForwardOf}). A layer
 * whose kernel was used by another layer in between (two networks interleaved on one thread, or a layer moved to
 * another thread) recomputes its forward pass before backpropagating, as it would after any foreign forward pass.
 *
 * <p>A slot is also keyed by the minibatch's shape: an epoch's last, smaller training minibatch and the evaluation's
 * last one get kernels of their own, so the training kernels are not reallocated and zeroed (11 MB per layer) twice
 * per epoch and twice per evaluation. Trade-off: each thread keeps the buffers of the last {@value #MAX_KERNELS}
 * layer and minibatch shapes it ran (a few MB each, smaller for smaller minibatches) for as long as it lives; Spark's
 * executor threads end after a minute idle.</p>
 */
final class KernelPool {

    static final int MAX_KERNELS = 12;

    private record Slot(int layerIndex, int nIn, int n, DataType type, int batch, int steps) {}

    private static final ThreadLocal<Map<Slot, LstmKernel>> KERNELS =
            ThreadLocal.withInitial(() -> new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Slot, LstmKernel> eldest) {
                    return size() > MAX_KERNELS;
                }
            });

    private KernelPool() {}

    /** The calling thread's kernel for layer {@code layerIndex} of this size, sized for minibatches of this shape. */
    static LstmKernel forLayer(int layerIndex, int nIn, int n, DataType type, int batch, int steps) {
        LstmKernel kernel = KERNELS.get()
                .computeIfAbsent(new Slot(layerIndex, nIn, n, type, batch, steps), s -> new LstmKernel(nIn, n, type));
        kernel.ensureShape(batch, steps);
        return kernel;
    }
}
