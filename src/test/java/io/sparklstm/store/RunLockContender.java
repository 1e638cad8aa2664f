package io.sparklstm.store;

import io.sparklstm.common.StoreLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One contender of {@link RunLockStressIT}: takes the lock of a store {@code rounds} times, and each time, while it
 * believes it holds the lock, enters a critical section that detects overlap on the local disk (shared by every JVM of
 * the test):
 *
 * <ul>
 *   <li>on entry it creates {@code <shared>/holder} exclusively (O_EXCL); finding it there is a violation, logged as
 *       {@code VIOLATION};
 *   <li>it appends {@code enter <id>} after entering and {@code exit <id>} before leaving to {@code <shared>/events}
 *       (O_APPEND, one write per line), so the log of a correct run alternates enter X / exit X.
 * </ul>
 *
 * Some holds last longer than a few heartbeats (contenders then see a live holder); in round {@code crashRound} it
 * "crashes": leaves the critical section and abandons the lock without releasing it (heartbeat stopped, file left), so
 * that another contender must take it over. Run as a JVM of its own ({@link #main}) it can also halt while holding the
 * lock after its last round, a real crash: the next contender takes over at once, the pid being gone.
 */
final class RunLockContender {

    /** Exit status of a JVM that halted on purpose while holding the lock. */
    static final int HALTED = 77;

    private final FileSystem fs;
    private final Path root;
    private final java.nio.file.Path shared;
    private final String id;
    private final int rounds;
    private final Duration lease;
    private final int crashRound;
    private final Random random;

    RunLockContender(
            FileSystem fs,
            Path root,
            java.nio.file.Path shared,
            String id,
            int rounds,
            Duration lease,
            int crashRound) {
        this.fs = fs;
        this.root = root;
        this.shared = shared;
        this.id = id;
        this.rounds = rounds;
        this.lease = lease;
        this.crashRound = crashRound;
        this.random = new Random(id.hashCode());
    }

    /**
     * Takes the lock {@code rounds} times; with {@code haltAtEnd} the JVM halts ({@link #HALTED}) holding the lock
     * after the last critical section.
     */
    void run(boolean haltAtEnd) throws IOException, InterruptedException {
        int holds = 0;
        int refusals = 0;
        int lost = 0;
        while (holds < rounds) {
            RunLock lock;
            try {
                lock = RunLock.acquire(fs, root, id + "-" + holds, "app-" + id, lease);
            } catch (StoreLockedException e) {
                refusals++;
                Thread.sleep(random.nextInt(30));
                continue;
            }
            lock.verifyHeld();
            enter();
            Thread.sleep(holds % 10 == 9 ? 800 + random.nextInt(400) : 5 + random.nextInt(20));
            try {
                lock.verifyHeld();
            } catch (StoreLockedException e) {
                lost++;
                event("lost " + id + " " + e.getMessage());
            }
            exit();
            holds++;
            if (holds == rounds && haltAtEnd) {
                event("done " + id + " holds=" + holds + " refusals=" + refusals + " lost=" + lost);
                event("crash " + id + " halt");
                Runtime.getRuntime().halt(HALTED);
            } else if (holds == crashRound) {
                event("crash " + id + " abandon");
                lock.abandon();
            } else {
                lock.close();
            }
            Thread.sleep(random.nextInt(40));
        }
        event("done " + id + " holds=" + holds + " refusals=" + refusals + " lost=" + lost);
    }

    private void enter() throws IOException {
        try {
            Files.writeString(holder(), id, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            String other;
            try {
                other = Files.readString(holder());
            } catch (NoSuchFileException gone) {
                other = "(gone by now)";
            }
            event("VIOLATION " + id + " entered while " + other + " held the lock");
            Files.writeString(holder(), id);
        }
        event("enter " + id);
    }

    private void exit() throws IOException {
        event("exit " + id);
        try {
            if (Files.readString(holder()).equals(id)) {
                Files.delete(holder());
            }
        } catch (NoSuchFileException e) {
            event("VIOLATION " + id + " found no holder file on exit");
        }
    }

    private java.nio.file.Path holder() {
        return shared.resolve("holder");
    }

    private void event(String line) throws IOException {
        Files.write(
                shared.resolve("events"),
                (line + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    /**
     * An HDFS client for many small files on a one-DataNode cluster: closing a file does not back off 400 ms when the
     * DataNode's block report is a moment late (the lock files are closed hundreds of times).
     */
    static Configuration hdfsClient(Configuration base) {
        Configuration conf = new Configuration(base);
        conf.setInt("dfs.replication", 1);
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
        return conf;
    }

    /**
     * {@code RunLockContender STORE_URI SHARED_DIR ID ROUNDS LEASE_MILLIS CRASH_ROUND HALT_AT_END}: announces itself
     * with {@code <shared>/ready-<id>}, waits for {@code <shared>/go}, then runs.
     */
    public static void main(String[] args) throws Exception {
        Path root = new Path(args[0]);
        java.nio.file.Path shared = java.nio.file.Path.of(args[1]);
        String id = args[2];
        FileSystem fs = root.getFileSystem(hdfsClient(new Configuration()));
        RunLockContender contender = new RunLockContender(
                fs,
                fs.makeQualified(root),
                shared,
                id,
                Integer.parseInt(args[3]),
                Duration.ofMillis(Long.parseLong(args[4])),
                Integer.parseInt(args[5]));
        fs.exists(root); // connect before the start
        Files.createFile(shared.resolve("ready-" + id));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!Files.exists(shared.resolve("go"))) {
            if (System.nanoTime() > deadline) {
                System.err.println("no go within 2 minutes");
                System.exit(3);
            }
            Thread.sleep(20);
        }
        contender.run(Boolean.parseBoolean(args[6]));
        System.exit(0);
    }
}
