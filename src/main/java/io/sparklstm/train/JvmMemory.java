package io.sparklstm.train;

import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A snapshot of this JVM's memory, for the per-epoch log line: a nightly run whose native memory creeps up shows it
 * there long before a container is killed for it.
 *
 * @param heapUsedBytes      Java heap in use (live objects and garbage not yet collected)
 * @param heapCommittedBytes Java heap the JVM holds from the OS
 * @param nd4jBytes          off-heap memory ND4J reports as allocated (arrays, workspaces)
 * @param residentBytes      resident set size of the whole process, as the OS reports it (0 where unavailable);
 *                           {@code residentBytes - heapCommittedBytes} is everything off the Java heap
 */
public record JvmMemory(long heapUsedBytes, long heapCommittedBytes, long nd4jBytes, long residentBytes) {

    private static final double MIB = 1024.0 * 1024.0;

    public static JvmMemory now() {
        Runtime rt = Runtime.getRuntime();
        return new JvmMemory(
                rt.totalMemory() - rt.freeMemory(),
                rt.totalMemory(),
                Nd4j.getMemoryManager().allocatedMemory(0),
                Pointer.physicalBytes());
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "heap %.0f MiB used / %.0f MiB committed, ND4J %.0f MiB, RSS %.0f MiB (%.0f MiB off-heap)",
                heapUsedBytes / MIB,
                heapCommittedBytes / MIB,
                nd4jBytes / MIB,
                residentBytes / MIB,
                (residentBytes - heapCommittedBytes) / MIB);
    }
}
