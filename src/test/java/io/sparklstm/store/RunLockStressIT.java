package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.cluster.MiniHdfs;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many contenders for one store lock: threads of this JVM and separate JVMs ({@link RunLockContender}), each taking
 * the lock {@value #ROUNDS} times with a short lease, on a real HDFS (MiniDFSCluster) and on the local file system.
 * Every thread crashes once by abandoning its lock (taken over after a lease, its pid being alive), every JVM halts
 * holding the lock after its last round (taken over at once, its pid being gone), and every tenth hold lasts several
 * heartbeats. Never may two contenders be in the critical section at once: see {@link RunLockContender}.
 */
class RunLockStressIT {

    static final int ROUNDS = 20;
    static final int THREADS = 3;
    static final int JVMS = 2;
    static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void contendersOnHdfsNeverOverlap() throws Exception {
        MiniHdfs hdfs = MiniHdfs.shared();
        Path store = new Path(hdfs.uri() + "/stores/lock-" + UUID.randomUUID());
        try (FileSystem fs = FileSystem.newInstance(store.toUri(), RunLockContender.hdfsClient(hdfs.configuration()))) {
            fs.mkdirs(store);
            contend(fs, fs.makeQualified(store));
        }
    }

    @Test
    void contendersOnTheLocalFileSystemNeverOverlap() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path store = fs.makeQualified(new Path(tmp.resolve("store").toUri()));
        fs.mkdirs(store);
        contend(fs, store);
    }

    private void contend(FileSystem fs, Path store) throws Exception {
        long t0 = System.nanoTime();
        java.nio.file.Path shared = Files.createDirectories(tmp.resolve("shared"));
        List<Process> jvms = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            for (int i = 0; i < JVMS; i++) {
                jvms.add(startJvm(store, shared, "jvm" + i));
            }
            awaitReady(shared, jvms);
            Files.createFile(shared.resolve("go"));
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                RunLockContender c = new RunLockContender(fs, store, shared, "thread" + i, ROUNDS, LEASE, 3 + 4 * i);
                running.add(threads.submit(() -> {
                    c.run(false);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(3, TimeUnit.MINUTES);
            }
            for (int i = 0; i < JVMS; i++) {
                Process p = jvms.get(i);
                assertTrue(p.waitFor(2, TimeUnit.MINUTES), "jvm" + i + " did not end");
                assertEquals(RunLockContender.HALTED, p.exitValue(), "jvm" + i + ":\n" + log(shared, "jvm" + i));
            }
        } finally {
            threads.shutdownNow();
            jvms.forEach(Process::destroyForcibly);
        }

        List<String> events = Files.readAllLines(shared.resolve("events"));
        List<String> violations =
                events.stream().filter(l -> l.startsWith("VIOLATION")).collect(Collectors.toList());
        assertEquals(List.of(), violations, "two holders at once");
        String inside = null;
        int enters = 0;
        for (String e : events) {
            if (e.startsWith("enter ")) {
                assertEquals(null, inside, "entered while " + inside + " was inside: " + e);
                inside = e.substring(6);
                enters++;
            } else if (e.startsWith("exit ")) {
                assertEquals(inside, e.substring(5), e);
                inside = null;
            }
        }
        assertEquals((THREADS + JVMS) * ROUNDS, enters, "every contender held the lock " + ROUNDS + " times");
        assertEquals(THREADS + JVMS, count(events, "crash "), "crashes");
        assertEquals(THREADS + JVMS, count(events, "done "), "contenders finished");
        List<String> lost = events.stream().filter(l -> l.startsWith("lost ")).collect(Collectors.toList());
        assertEquals(List.of(), lost, "no live holder lost its lock");

        // The last JVM to halt left its lock behind: the next run takes it over at once and leaves nothing.
        RunLock.acquire(fs, store, "after", "app-after", LEASE).close();
        List<String> left = Stream.of(fs.listStatus(store))
                .map(FileStatus::getPath)
                .map(Path::getName)
                .collect(Collectors.toList());
        assertEquals(List.of(), left, "no lock, marker or moved-aside file left");
        System.out.printf(
                "%s: %d holds, %d refusals, %.1f s%n",
                store.toUri().getScheme(),
                enters,
                events.stream()
                        .filter(l -> l.startsWith("done "))
                        .mapToInt(l -> Integer.parseInt(l.replaceAll(".*refusals=(\\d+).*", "$1")))
                        .sum(),
                (System.nanoTime() - t0) / 1e9);
    }

    private Process startJvm(Path store, java.nio.file.Path shared, String id) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
        cmd.add("@" + java.nio.file.Path.of("submit", "java17-opens.txt").toAbsolutePath());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RunLockContender.class.getName());
        cmd.addAll(List.of(
                store.toString(),
                shared.toString(),
                id,
                Integer.toString(ROUNDS),
                Long.toString(LEASE.toMillis()),
                "-1",
                "true"));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(shared.resolve(id + ".log").toFile())
                .start();
    }

    private static void awaitReady(java.nio.file.Path shared, List<Process> jvms) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int i = 0; i < jvms.size(); i++) {
            while (!Files.exists(shared.resolve("ready-jvm" + i))) {
                if (!jvms.get(i).isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("jvm" + i + " did not start:\n" + log(shared, "jvm" + i));
                }
                Thread.sleep(50);
            }
        }
    }

    private static String log(java.nio.file.Path shared, String id) throws IOException {
        List<String> lines = Files.readAllLines(shared.resolve(id + ".log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static long count(List<String> events, String prefix) {
        return events.stream().filter(l -> l.startsWith(prefix)).count();
    }
}
