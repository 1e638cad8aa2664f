package io.sparklstm.train;

import io.sparklstm.config.GemmMode;
import io.sparklstm.model.NativeThreads;
import io.sparklstm.model.fastlstm.GemmSelection;

/**
 * Applies {@link NativeThreads#limitOnce} and the GEMM mode ({@link GemmSelection#select}) on each executor before
 * its first minibatch.
 */
final class NativeThreadsHook extends MinibatchHook {

    private static final long serialVersionUID = 1L;

    private final int threadsPerTask;
    private final GemmMode gemm;

    NativeThreadsHook(int threadsPerTask, GemmMode gemm) {
        this.threadsPerTask = threadsPerTask;
        this.gemm = gemm;
    }

    @Override
    void beforeMinibatch() {
        NativeThreads.limitOnce(threadsPerTask);
        GemmSelection.select(gemm, NativeThreads.perTask(threadsPerTask));
    }
}
