package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.StoreLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunLock} on the local file system (a temp dir), with short leases; real files, real threads. */
class RunLockTest {

    private static final Duration LEASE = Duration.ofSeconds(1);

    @TempDir
    java.nio.file.Path dir;

    private FileSystem fs;
    private Path root;
    private java.nio.file.Path lockFile;
    private final List<RunLock> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        fs = FileSystem.getLocal(new Configuration());
        root = fs.makeQualified(new Path(dir.toUri()));
        lockFile = dir.resolve(RunLock.FILE);
    }

    @AfterEach
    void stopHeartbeats() {
        opened.forEach(RunLock::abandon);
    }

    @Test
    void secondRunIsRefusedWhileTheFirstIsAliveAndGetsTheLockOnceItIsReleased() throws IOException {
        RunLock first = acquire("first", LEASE);
        String token = owner().path("token").asText();

        long t0 = System.nanoTime();
        StoreLockedException e = assertThrows(StoreLockedException.class, () -> acquire("second", LEASE));
        Duration took = since(t0);
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "recognised the live holder in " + took);
        String m = e.getMessage();
        assertTrue(
                m.contains("locked by another run (run first on " + LockOwner.HOST + " pid "
                        + ProcessHandle.current().pid() + ", started "),
                m);
        assertTrue(m.contains(new Path(root, RunLock.FILE).toString()), m);
        assertTrue(m.contains("If its process is dead, delete"), m);
        assertEquals(1, m.lines().count(), m);
        assertEquals(token, owner().path("token").asText(), "the holder's lock is untouched");
        first.verifyHeld();

        first.close();
        assertFalse(Files.exists(lockFile), "released");
        t0 = System.nanoTime();
        RunLock second = acquire("second", LEASE);
        assertTrue(since(t0).compareTo(Duration.ofMillis(500)) < 0, "a free store is locked at once");
        assertEquals("second", owner().path("runId").asText());
        assertNotEquals(token, owner().path("token").asText());
        second.verifyHeld();
        second.close();
        assertEquals(List.of(), files(), "nothing left behind");
    }

    @Test
    void lockFileNamesItsOwnerAndReadsBackThroughHadoop() throws IOException {
        try (RunLock lock = acquire("named", LEASE)) {
            JsonNode o = Json.read(fs, new Path(root, RunLock.FILE));
            assertEquals("named", o.path("runId").asText());
            assertEquals("app-named", o.path("applicationId").asText());
            assertEquals(ProcessHandle.current().pid(), o.path("pid").asLong());
            assertEquals(LockOwner.HOST, o.path("host").asText());
            assertEquals(36, o.path("token").asText().length());
            assertEquals(LEASE.toMillis(), o.path("leaseMillis").asLong());
            assertTrue(o.has("startedAt") && o.has("heartbeat"), o.toString());
            assertEquals(lock.file(), new Path(root, RunLock.FILE));
        }
    }

    @Test
    void heartbeatChangesTheFileWithoutChangingItsOwner() throws Exception {
        try (RunLock lock = acquire("beating", LEASE)) {
            byte[] content = Files.readAllBytes(lockFile);
            FileTime first = Files.getLastModifiedTime(lockFile);
            Thread.sleep(RunLock.heartbeatPeriod(LEASE).toMillis() * 3);
            assertNotEquals(first, Files.getLastModifiedTime(lockFile), "heartbeat observable");
            assertEquals(new String(content, StandardCharsets.UTF_8), Files.readString(lockFile));
            lock.verifyHeld();
        }
    }

    @Test
    void liveHolderWithALongLeaseIsRecognisedWithinSeconds() throws IOException {
        acquire("nightly", Duration.ofMinutes(10)); // heartbeat every 5 s, not every 100 s
        long t0 = System.nanoTime();
        assertThrows(StoreLockedException.class, () -> acquire("manual", Duration.ofMinutes(2)));
        Duration took = since(t0);
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "took " + took);
    }

    @Test
    void contendersStartingTogetherHaveOneWinner() throws Exception {
        int n = 6;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<RunLock>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "c" + i;
                results.add(pool.submit((Callable<RunLock>) () -> {
                    start.await();
                    return acquire(id, LEASE);
                }));
            }
            int won = 0;
            int refused = 0;
            for (Future<RunLock> r : results) {
                try {
                    r.get();
                    won++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(
                            e.getCause() instanceof StoreLockedException,
                            e.getCause().toString());
                    refused++;
                }
            }
            assertEquals(1, won);
            assertEquals(n - 1, refused);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lockOfADeadProcessOnThisHostIsTakenOverAtOnce() throws Exception {
        long deadPid = deadPid();
        // Written as Hadoop writes it (with a .crc beside it), without a token, as an older version did.
        Map<String, Object> owner = new LinkedHashMap<>();
        owner.put("runId", "crashed");
        owner.put("host", LockOwner.HOST);
        owner.put("pid", deadPid);
        owner.put("startedAt", "2026-11-29T02:00:00Z");
        Json.write(fs, new Path(root, RunLock.FILE), owner);

        long t0 = System.nanoTime();
        RunLock lock = acquire("rerun", Duration.ofMinutes(2));
        assertTrue(since(t0).compareTo(Duration.ofSeconds(2)) < 0, "took " + since(t0));
        assertEquals(
                "rerun",
                Json.read(fs, new Path(root, RunLock.FILE)).path("runId").asText(),
                "reads via fs.open");
        lock.verifyHeld();
        lock.close();
        assertEquals(List.of(), files());
    }

    @Test
    void silentHolderElsewhereIsTakenOverAfterTheLeaseByTheContendersClock() throws Exception {
        // Another machine, a start time far in the future by our clock: only the absence of change counts.
        writeLock(foreign("elsewhere", UUID.randomUUID().toString(), null));
        Files.setLastModifiedTime(lockFile, FileTime.fromMillis(System.currentTimeMillis() + 86_400_000L));

        long t0 = System.nanoTime();
        RunLock lock = acquire("next", Duration.ofMillis(1500));
        Duration took = since(t0);
        assertTrue(took.compareTo(Duration.ofMillis(1500)) >= 0, "waited a lease: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "took " + took);
        assertEquals("next", owner().path("runId").asText());
        lock.close();
    }

    @Test
    void contenderWaitsOutTheHoldersLongerLease() throws Exception {
        writeLock(foreign("elsewhere", UUID.randomUUID().toString(), 2500L));
        long t0 = System.nanoTime();
        acquire("next", LEASE).close();
        assertTrue(since(t0).compareTo(Duration.ofMillis(2500)) >= 0, "took " + since(t0));
    }

    @Test
    void lockOfThePreviousFormatIsWaitedOutForItsLongerLease() throws Exception {
        // No token: written by the previous version, whose heartbeat came only every 2.5 minutes.
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("runId", "old");
        old.put("host", "other.example");
        old.put("pid", 4242);
        old.put("startedAt", "2026-11-29T02:00:00Z");
        writeLock(Json.MAPPER.writeValueAsBytes(old));

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunLock> next = pool.submit(() -> acquire("next", LEASE));
            Thread.sleep(LEASE.toMillis() * 5 / 2);
            assertFalse(next.isDone(), "still waiting after more than its own lease");
            assertEquals("old", owner().path("runId").asText());
            Files.delete(lockFile); // the old run ends
            next.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("next", owner().path("runId").asText());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeNeverDeletesALockItNoLongerOwns() throws IOException {
        RunLock first = acquire("first", LEASE);
        // Judged dead and taken over (done by hand here): the file now belongs to another run.
        Files.delete(lockFile);
        RunLock second = acquire("second", LEASE);

        first.close();
        assertTrue(Files.exists(lockFile), "the other run's lock is still there");
        assertEquals("second", owner().path("runId").asText());
        second.verifyHeld();
        second.close();
        assertFalse(Files.exists(lockFile));
    }

    @Test
    void verifyHeldFailsOnceTheLockBelongsToAnotherRun() throws Exception {
        RunLock lock = acquire("first", LEASE);
        lock.verifyHeld();
        Files.delete(lockFile);
        writeLock(foreign("intruder", UUID.randomUUID().toString(), null));

        StoreLockedException e = assertThrows(StoreLockedException.class, lock::verifyHeld);
        assertTrue(
                e.getMessage().startsWith("lost the lock " + new Path(root, RunLock.FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("run intruder on other.example"), e.getMessage());
        lock.close();
        assertEquals("intruder", owner().path("runId").asText(), "not deleted by the run that lost it");
    }

    @Test
    void heartbeatNoticesTheLossAndTheLockStaysLost() throws Exception {
        RunLock lock = acquire("first", LEASE);
        byte[] ours = Files.readAllBytes(lockFile);
        Files.delete(lockFile);
        Thread.sleep(RunLock.heartbeatPeriod(LEASE).toMillis() * 3);
        // The file is back with our content (say, restored by hand): still lost, the heartbeat had stopped.
        Files.write(lockFile, ours);
        StoreLockedException e = assertThrows(StoreLockedException.class, lock::verifyHeld);
        assertTrue(e.getMessage().contains("the lock file is gone"), e.getMessage());
    }

    @Test
    void pausedHolderIsTakenOverAndThenFailsVerifyHeld() throws Exception {
        RunLock paused = acquire("paused", LEASE);
        paused.stopHeartbeat(); // a long GC pause, a hung driver

        long t0 = System.nanoTime();
        RunLock next = acquire("next", LEASE);
        assertTrue(since(t0).compareTo(LEASE) >= 0, "waited a lease: " + since(t0));

        StoreLockedException e = assertThrows(StoreLockedException.class, paused::verifyHeld);
        assertTrue(e.getMessage().startsWith("lost the lock "), e.getMessage());
        paused.close();
        next.verifyHeld();
        assertEquals("next", owner().path("runId").asText());
        next.close();
        assertEquals(List.of(), files(), "no marker, nothing moved aside, left behind");
    }

    @Test
    void verifyHeldFailsAfterHalfALeaseWithoutHeartbeat() throws Exception {
        RunLock lock = acquire("slow", LEASE);
        lock.stopHeartbeat();
        Thread.sleep(LEASE.toMillis() / 2 + 200);
        StoreLockedException e = assertThrows(StoreLockedException.class, lock::verifyHeld);
        assertTrue(e.getMessage().contains("no heartbeat succeeded for"), e.getMessage());
        lock.close();
        assertFalse(Files.exists(lockFile), "still ours, so released");
    }

    @Test
    void abandonedTakeoverMarkerDoesNotWedgeTheStore() throws Exception {
        String stale = UUID.randomUUID().toString();
        writeLock(foreign("crashed", stale, null));
        // A taker on another machine crashed after creating its marker; plus a marker of a long gone lock.
        Files.write(
                dir.resolve(RunLock.MARKER + stale),
                foreign("taker", UUID.randomUUID().toString(), null));
        Files.write(dir.resolve(RunLock.MARKER + UUID.randomUUID()), foreign("older", "x", null));

        long t0 = System.nanoTime();
        RunLock lock = acquire("next", LEASE);
        Duration took = since(t0);
        assertTrue(took.compareTo(LEASE.multipliedBy(2)) >= 0, "a lease for the lock, one for the marker: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
        assertEquals(List.of(RunLock.FILE), files(), "markers removed");
        lock.close();
    }

    @Test
    void takeoverMarkerOfADeadProcessOnThisHostIsRemovedAtOnce() throws Exception {
        long deadPid = deadPid();
        String stale = UUID.randomUUID().toString();
        Files.write(lockFile, local("crashed", stale, deadPid));
        Files.write(
                dir.resolve(RunLock.MARKER + stale),
                local("taker", UUID.randomUUID().toString(), deadPid));

        long t0 = System.nanoTime();
        acquire("next", Duration.ofMinutes(2)).close();
        assertTrue(since(t0).compareTo(Duration.ofSeconds(2)) < 0, "took " + since(t0));
        assertEquals(List.of(), files());
    }

    @Test
    void lockOfTheSamePidStartedAtAnotherTimeIsStale() throws Exception {
        // Our own pid, but recorded with a start time a day off: the pid was reused, the owner is gone.
        Map<String, Object> owner = new LinkedHashMap<>();
        owner.put("token", UUID.randomUUID().toString());
        owner.put("runId", "reused");
        owner.put("host", LockOwner.HOST);
        owner.put("pid", ProcessHandle.current().pid());
        owner.put(
                "pidStartedAt",
                ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli() - 86_400_000L);
        owner.put("scope", LockOwner.SCOPE);
        writeLock(Json.MAPPER.writeValueAsBytes(owner));

        long t0 = System.nanoTime();
        acquire("next", Duration.ofMinutes(2)).close();
        assertTrue(since(t0).compareTo(Duration.ofSeconds(2)) < 0, "took " + since(t0));
    }

    private RunLock acquire(String runId, Duration lease) throws IOException {
        RunLock lock = RunLock.acquire(fs, root, runId, "app-" + runId, lease);
        synchronized (opened) {
            opened.add(lock);
        }
        return lock;
    }

    private JsonNode owner() throws IOException {
        return Json.MAPPER.readTree(Files.readAllBytes(lockFile));
    }

    private void writeLock(byte[] json) throws IOException {
        Files.write(lockFile, json);
    }

    private static byte[] foreign(String runId, String token, Long leaseMillis) throws IOException {
        Map<String, Object> owner = new LinkedHashMap<>();
        owner.put("token", token);
        owner.put("runId", runId);
        owner.put("host", "other.example");
        owner.put("pid", 4242);
        owner.put("startedAt", "2026-11-29T02:00:00Z");
        if (leaseMillis != null) {
            owner.put("leaseMillis", leaseMillis);
        }
        return Json.MAPPER.writeValueAsBytes(owner);
    }

    private static byte[] local(String runId, String token, long pid) throws IOException {
        Map<String, Object> owner = new LinkedHashMap<>();
        owner.put("token", token);
        owner.put("runId", runId);
        owner.put("host", LockOwner.HOST);
        owner.put("pid", pid);
        owner.put("scope", LockOwner.SCOPE);
        owner.put("startedAt", "2026-11-29T02:00:00Z");
        return Json.MAPPER.writeValueAsBytes(owner);
    }

    /** The pid of a process that has just exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    private List<String> files() throws IOException {
        try (Stream<java.nio.file.Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
