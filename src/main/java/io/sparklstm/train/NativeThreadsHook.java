package io.sparklstm.train;

import io.sparklstm.model.NativeThreads;

/** Applies {@link NativeThreads#limitOnce} on each executor before its first minibatch. */
final class NativeThreadsHook extends MinibatchHook {

    private static final long serialVersionUID = 1L;

    private final int threadsPerTask;

    NativeThreadsHook(int threadsPerTask) {
        this.threadsPerTask = threadsPerTask;
    }

    @Override
    void beforeMinibatch() {
        NativeThreads.limitOnce(threadsPerTask);
    }
}
