package io.sparklstm.train;

import org.bytedeco.javacpp.Pointer;

/**
 * A snapshot of this JVM's memory, for the per-epoch log line: a nightly run whose native memory creeps up shows it
 * there long before a container is killed for it.
 *
 * @param heapUsedBytes   Java heap in use (live objects and garbage not yet collected)
 * @param nativeBytes     off-heap memory ND4J holds through JavaCPP (arrays, workspaces), as JavaCPP counts it
 * @param residentBytes   resident set size of the whole process, as the OS reports it (0 where unavailable)
 */
public record JvmMemory(long heapUsedBytes, long nativeBytes, long residentBytes) {

    private static final double MIB = 1024.0 * 1024.0;

    public static JvmMemory now() {
        Runtime rt = Runtime.getRuntime();
        return new JvmMemory(rt.totalMemory() - rt.freeMemory(), Pointer.totalBytes(), Pointer.physicalBytes());
    }

    @Override
    public String toString() {
        return String.format("heap %.0f MiB, ND4J off-heap %.0f MiB, RSS %.0f MiB", heapUsedBytes / MIB,
                nativeBytes / MIB, residentBytes / MIB);
    }
}
