package io.sparklstm.common;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Crash points for the store's failure tests: with the system property {@code sparklstm.fault} set to a point's
 * name, {@link #at} throws there, exactly as an I/O failure or a killed process would interrupt the run. Unset (the
 * only production setting) it does nothing.
 *
 * <p>Also a seam for faults outside the job: a test in the same JVM registers an action for a point ({@link
 * #onReaching}), e.g. to stop an HDFS DataNode while model.zip is being written, and the job runs it when it gets
 * there ({@link #reached}). Nothing is registered in production, where {@link #reached} is a map lookup.
 */
public final class FaultInjection {

    public static final String PROPERTY = "sparklstm.fault";

    private FaultInjection() {}

    /** Whether the crash point {@code point} is requested in this JVM. */
    public static boolean requested(String point) {
        return point.equals(System.getProperty(PROPERTY));
    }

    /** Point reached while a run's model.zip is being published: its first bytes written, its stream still open. */
    public static final String MODEL_WRITE_UNDER_WAY = "model-write-under-way";

    private static final Map<String, Runnable> ACTIONS = new ConcurrentHashMap<>();

    /** Runs the action a test registered for {@code point}, if any. */
    public static void reached(String point) {
        Runnable action = ACTIONS.get(point);
        if (action != null) {
            action.run();
        }
    }

    /** Registers {@code action} for {@code point} (tests only) until the returned handle is closed. */
    public static AutoCloseable onReaching(String point, Runnable action) {
        ACTIONS.put(point, action);
        return () -> ACTIONS.remove(point, action);
    }

    public static void at(String point) throws IOException {
        if (point.equals(System.getProperty(PROPERTY))) {
            throw new IOException("injected fault at " + point + " (-D" + PROPERTY + ")");
        }
    }
}
