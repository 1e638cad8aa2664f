package io.sparklstm.train;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;

/**
 * Fault injection for the retry tests, as Spark's own {@code FailureSuite} does it: the first attempt of the first
 * training task that reaches its second minibatch fails, once per JVM; the retried attempt runs normally. Installed
 * only when the crash point {@value #POINT} is requested ({@code -Dsparklstm.fault=task-failure-once}).
 */
final class FailOnceHook extends MinibatchHook {

    static final String POINT = "task-failure-once";

    private static final long serialVersionUID = 1L;
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private transient int step;

    /** Arms the hook again (tests that inject more than one failure in a JVM). */
    static void rearm() {
        FAILED.set(false);
    }

    @Override
    void beforeMinibatch() {
        maybeFail();
    }

    private void maybeFail() {
        TaskContext task = TaskContext.get();
        if (step++ == 1 && task != null && task.attemptNumber() == 0 && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected one-shot failure of task " + task.taskAttemptId() + " (partition "
                    + task.partitionId() + ", -Dsparklstm.fault=" + POINT + ")");
        }
    }
}
