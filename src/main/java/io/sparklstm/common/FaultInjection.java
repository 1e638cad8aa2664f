package io.sparklstm.common;

import java.io.IOException;

/**
 * Crash points for the store's failure tests: with the system property {@code sparklstm.fault} set to a point's
 * name, {@link #at} throws there, exactly as an I/O failure or a killed process would interrupt the run. Unset (the
 * only production setting) it does nothing.
 */
public final class FaultInjection {

    public static final String PROPERTY = "sparklstm.fault";

    private FaultInjection() {}

    /** Whether the crash point {@code point} is requested in this JVM. */
    public static boolean requested(String point) {
        return point.equals(System.getProperty(PROPERTY));
    }

    public static void at(String point) throws IOException {
        if (point.equals(System.getProperty(PROPERTY))) {
            throw new IOException("injected fault at " + point + " (-D" + PROPERTY + ")");
        }
    }
}
