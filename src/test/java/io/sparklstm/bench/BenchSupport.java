package io.sparklstm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small helpers shared by the benchmark mains: JSON, argument parsing, /proc, the MNIST IDX files, JavaCPP. */
final class BenchSupport {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchSupport() {}

    /** {@code --key value} pairs (and bare {@code --flag}s, value "true"). */
    static Map<String, String> args(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                m.put(key, args[++i]);
            } else {
                m.put(key, "true");
            }
        }
        return m;
    }

    static void writeJson(Path file, Object value) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A field of /proc/[pid]/status in bytes (VmRSS, VmHWM), or -1 when the process is gone. */
    static long procStatusBytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /** JavaCPP's view of native memory: totalBytes = tracked allocations, physicalBytes = the process' RSS. */
    static Map<String, Object> nativeMemory() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        try {
            Class<?> pointer;
            try {
                pointer = Class.forName(
                        "org.bytedeco.javacpp.Pointer",
                        true,
                        Thread.currentThread().getContextClassLoader());
            } catch (ClassNotFoundException e) {
                pointer = Class.forName("org.bytedeco.javacpp.Pointer", true, BenchSupport.class.getClassLoader());
            }
            m.put("javacppTotalBytes", pointer.getMethod("totalBytes").invoke(null));
            m.put("javacppPhysicalBytes", pointer.getMethod("physicalBytes").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            m.put("javacppError", e.toString());
        }
        try {
            // ND4J's own count of the native buffers it allocated (device 0 = host on the CPU backend)
            Class<?> tracker = Class.forName(
                    "org.nd4j.linalg.api.memory.AllocationsTracker",
                    true,
                    Thread.currentThread().getContextClassLoader());
            Object instance = tracker.getMethod("getInstance").invoke(null);
            m.put(
                    "nd4jTrackedBytes",
                    tracker.getMethod("bytesOnDevice", Integer.class).invoke(instance, 0));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            m.put("nd4jTrackedError", e.toString());
        }
        Runtime rt = Runtime.getRuntime();
        m.put("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
        m.put("heapCommittedBytes", rt.totalMemory());
        m.put("rssBytes", procStatusBytes(selfPid(), "VmRSS"));
        m.put("hwmBytes", procStatusBytes(selfPid(), "VmHWM"));
        return m;
    }

    /** The raw bytes of an uncompressed IDX file after its header. */
    static byte[] idxPayload(Path file, int headerBytes) {
        try {
            byte[] all = Files.readAllBytes(file);
            int magic = ByteBuffer.wrap(all, 0, 4).getInt();
            if ((magic >>> 8) != 0x08) {
                throw new IllegalStateException(file + ": not an unsigned-byte IDX file");
            }
            byte[] payload = new byte[all.length - headerBytes];
            System.arraycopy(all, headerBytes, payload, 0, payload.length);
            return payload;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Resident bytes of process {@code pid} outside its Java heap: the sum of {@code Rss} in {@code /proc/PID/smaps}
     * over every mapping that does not lie in the heap's reserved range ({@code heap}, from {@link #heapRange}).
     * Unlike "RSS - committed heap" this does not move when the GC first touches committed heap pages. -1 when
     * unreadable.
     */
    static long residentOutsideHeap(long pid, long[] heap) {
        long total = 0;
        long start = -1;
        try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc", Long.toString(pid), "smaps"))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty()
                        && Character.digit(line.charAt(0), 16) >= 0
                        && line.indexOf('-') > 0
                        && line.indexOf(' ') > line.indexOf('-')) {
                    start = Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16);
                } else if (line.startsWith("Rss:") && (start < heap[0] || start >= heap[1])) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The Java heap's reserved address range of JVM {@code pid}, from {@code jcmd PID GC.heap_info}; null if unknown. */
    static long[] heapRange(long pid) {
        try {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)")
                    .matcher(out);
            return m.find()
                    ? new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)}
                    : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Least-squares slope of y over x. */
    static double slope(List<Double> x, List<Double> y) {
        int n = Math.min(x.size(), y.size());
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x.get(i);
            my += y.get(i);
        }
        mx /= n;
        my /= n;
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            num += (x.get(i) - mx) * (y.get(i) - my);
            den += (x.get(i) - mx) * (x.get(i) - mx);
        }
        return den == 0 ? Double.NaN : num / den;
    }
}
