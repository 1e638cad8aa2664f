package io.sparklstm.store;

import io.sparklstm.common.StoreLockedException;
import io.sparklstm.store.LockFile.Snapshot;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a model store, so that two runs with the same {@code --output} never overlap (a nightly run
 * that overruns into the next night, a manual run beside the scheduled one).
 *
 * <p><b>The file.</b> {@code <output>/_LOCK} holds JSON: a random owner {@code token} (a UUID, new for every
 * acquisition), run id, host, pid, Spark application id, start time, the holder's lease and a heartbeat counter. It
 * is created exclusively, atomically on HDFS (one NameNode operation) and on {@code file:} (O_EXCL through java.nio:
 * Hadoop's local {@code create(overwrite=false)} checks, then creates). See {@link LockFile}.
 *
 * <p><b>Heartbeat.</b> While the lock is held a daemon thread, every {@code lease/6} but at most every 5 s, re-reads the
 * file: if it still holds our token it makes an observable change (a new modification time via {@code setTimes}; on
 * object stores a rewrite with the counter raised); if not, or if the file is gone, the lock is <em>lost</em> and the
 * heartbeat stops. {@link #verifyHeld()}, which the job calls right before publishing and before promoting, throws a
 * {@link StoreLockedException} when the lock is lost, when the file no longer holds our token, or when our last
 * successful heartbeat is older than {@code lease/2} by our own monotonic clock: a run that may have lost its lock
 * stops before it writes.
 *
 * <p><b>A contender</b> that finds the lock held never compares a time in the file system with its own clock (the
 * holder's machine may have another). It decides:
 *
 * <ol>
 *   <li>the holder ran on this machine (same host name, boot and pid namespace) and its process is gone: stale at once;
 *   <li>otherwise it watches the file, every {@code lease/12} but at most every second, by its own monotonic clock. Any
 *       change (heartbeat, new owner) means a live holder: it fails with a {@link StoreLockedException} ("locked by
 *       another run", naming the holder, the file and how to clear it by hand). No change for a whole lease (the
 *       longer of its own and the holder's; at least 10 min for a lock in the format of the previous version, which
 *       has no token and a heartbeat every 2.5 min) means the holder is dead: stale. A live holder is thus recognised
 *       within about 6 s whatever the lease; the log says, in one line, that the contender is watching and for how
 *       long.
 * </ol>
 *
 * <p><b>Takeover</b> of a stale lock is atomic: the contender creates {@code _LOCK.takeover-<stale token>}
 * exclusively; only its creator goes on. It re-reads {@code _LOCK} and proceeds only if nothing changed, renames it
 * aside, checks that what it moved is the lock it judged stale (else moves it back), deletes it and creates its own
 * {@code _LOCK} exclusively (if someone got in first, it starts over and finds a live holder), then deletes the marker.
 * A contender that cannot create the marker starts over. A marker left by a crashed taker does not wedge the store: one
 * whose process on this machine is gone, or that stays unchanged for a lease, is deleted; markers of other tokens are
 * garbage, deleted by the next run that gets the lock.
 *
 * <p><b>Release.</b> {@link #close()} stops the heartbeat and removes {@code _LOCK} only if it still holds our token:
 * a run never deletes another run's lock.
 *
 * <p><b>Limits.</b> The lock is a lease: it assumes that a live holder's heartbeats are never paused for a whole lease
 * (GC, a hung file system) and that what a run does between {@link #verifyHeld()} and the end of that step takes less
 * than half a lease. On object stores (s3a, gs, abfs, ...) Hadoop 3.3 has no atomic exclusive create, so the lock is
 * best effort there (a warning says so): put the store on HDFS, or run one scheduler per store.
 *
 * <p>To clear a stale lock by hand, make sure its owner is really dead, then delete {@code <output>/_LOCK} ({@code
 * hdfs dfs -rm <output>/_LOCK}).
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = "_LOCK";

    /** {@code _LOCK.takeover-<token>}: held by the one contender taking over the lock of that token. */
    static final String MARKER = FILE + ".takeover-";

    /** {@code _LOCK.removed-<uuid>}: a lock file moved aside for a moment, to be checked and deleted. */
    static final String ASIDE = FILE + ".removed-";

    static final Duration MIN_LEASE = Duration.ofMillis(300);

    /**
     * The lease of the previous lock format (no token, a heartbeat every 2.5 min): a lock in that format is waited out
     * at least this long, so that a new run never takes the lock of an old one that is still running.
     */
    static final Duration LEGACY_LEASE = Duration.ofMinutes(10);

    static final Duration MAX_HEARTBEAT = Duration.ofSeconds(5);
    static final Duration MAX_POLL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RunLock.class);

    private final LockFile files;
    private final Path root;
    private final Path file;
    private final LockOwner owner;
    private final Duration lease;
    private final ScheduledExecutorService heartbeat;
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile long lastBeatNanos;
    private volatile String lost;
    private long lastMillisSet; // heartbeat thread only

    private RunLock(LockFile files, Path root, LockOwner owner, Duration lease, long createdNanos) {
        this.files = files;
        this.root = root;
        this.file = new Path(root, FILE);
        this.owner = owner;
        this.lease = lease;
        this.lastBeatNanos = createdNanos;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparklstm-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = heartbeatPeriod(lease).toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock of the store at {@code root}, taking over a stale one.
     *
     * @param lease how long a holder may go without an observable heartbeat before it is judged dead; also bounds how
     *     long this call may wait (about a lease, two when a taker crashed mid-takeover)
     * @throws StoreLockedException (exit 5) when a live run holds the lock; the message names it
     */
    public static RunLock acquire(FileSystem fs, Path root, String runId, String applicationId, Duration lease)
            throws IOException {
        Objects.requireNonNull(runId, "runId");
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("lease " + lease + " is shorter than " + MIN_LEASE);
        }
        LockFile files = LockFile.on(fs, root);
        return new Acquisition(files, root, LockOwner.ofThisProcess(runId, applicationId, lease), lease).run();
    }

    /** How often a holder with this lease makes its heartbeat. */
    static Duration heartbeatPeriod(Duration lease) {
        return clamp(lease.dividedBy(6), Duration.ofMillis(20), MAX_HEARTBEAT);
    }

    /** How often a contender waiting out this lease looks at the lock. */
    static Duration pollPeriod(Duration lease) {
        return clamp(lease.dividedBy(12), Duration.ofMillis(20), MAX_POLL);
    }

    /** The lock file, {@code <root>/_LOCK}. */
    public Path file() {
        return file;
    }

    /**
     * Checks, by reading the lock file, that this run still holds the lock; call it right before each step that writes
     * to the store where another run might (publishing, promoting).
     *
     * @throws StoreLockedException when the lock was lost: another run took it over (this run was judged dead), the
     *     file is gone, or no heartbeat succeeded for half a lease (it may be judged dead any moment)
     */
    public void verifyHeld() throws IOException {
        String why = lost;
        if (why == null && closed.get()) {
            why = "it was released";
        }
        if (why == null) {
            long age = System.nanoTime() - lastBeatNanos;
            String late = age <= lease.toNanos() / 2
                    ? null
                    : "no heartbeat succeeded for " + format(Duration.ofNanos(age)) + ", more than half the lease ("
                            + format(lease) + "), so another run may judge this one dead";
            Snapshot now;
            try {
                now = files.read(file);
            } catch (IOException e) {
                if (late == null) {
                    throw e;
                }
                now = null;
            }
            if (now != null && !now.exists()) {
                why = lose("the lock file is gone");
            } else if (now != null && !owner.token().equals(now.token())) {
                why = lose("it now belongs to " + now.describe());
            } else {
                why = late;
            }
        }
        if (why != null) {
            throw new StoreLockedException("lost the lock " + file + " (" + why + "); another run may be writing to "
                    + "the store, so this run (" + owner.runId() + ") stops here without publishing or promoting");
        }
    }

    /** Stops the heartbeat and deletes the lock file if, and only if, it still holds this run's token. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopHeartbeat();
        Snapshot now = files.read(file);
        if (!now.exists()) {
            log.warn("Store lock {} was already gone when run {} released it", file, owner.runId());
            return;
        }
        if (!owner.token().equals(now.token())) {
            log.warn("Not removing store lock {}: it now belongs to {}", file, now.describe());
            return;
        }
        Path aside = new Path(root, ASIDE + UUID.randomUUID());
        if (!files.moveAside(file, aside)) {
            return;
        }
        Snapshot removed = files.read(aside);
        if (removed.exists() && !owner.token().equals(removed.token())) {
            // Replaced between the check and the rename: put the other run's lock back.
            if (!files.moveBack(aside, file)) {
                files.delete(aside);
            }
            log.warn("Not removing store lock {}: it now belongs to {}", file, removed.describe());
            return;
        }
        files.delete(aside);
    }

    /** For tests: behaves as if this process died, leaving the file as it is and the heartbeat stopped. */
    void abandon() {
        lost = "abandoned";
        closed.set(true);
        stopHeartbeat();
    }

    @Override
    public String toString() {
        return "RunLock[" + file + ", " + owner.describe() + ", token " + owner.token() + "]";
    }

    /** Stops the heartbeat; by itself (in tests) it makes a holder that is paused, e.g. by a long GC. */
    void stopHeartbeat() {
        heartbeat.shutdownNow();
        try {
            // A heartbeat under way would otherwise touch the file after it was released.
            heartbeat.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void beat() {
        if (lost != null || closed.get()) {
            return;
        }
        long started = System.nanoTime();
        try {
            Snapshot now = files.read(file);
            if (!now.exists()) {
                lose("the lock file is gone");
                return;
            }
            if (!owner.token().equals(now.token())) {
                lose("it now belongs to " + now.describe());
                return;
            }
            long millis = Math.max(System.currentTimeMillis(), lastMillisSet + 1);
            if (millis == toMillis(now.modified())) {
                millis++; // the change must be observable
            }
            files.heartbeat(file, now, millis);
            lastMillisSet = millis;
            lastBeatNanos = started;
        } catch (IOException | RuntimeException e) {
            log.warn("Could not refresh store lock {}: {}", file, e.toString());
        }
    }

    private long toMillis(long modified) {
        return files.mode() == LockFile.Mode.LOCAL ? TimeUnit.NANOSECONDS.toMillis(modified) : modified;
    }

    /** Marks the lock lost (the first reason wins), stops the heartbeat; returns the reason. */
    private synchronized String lose(String why) {
        if (lost == null && !closed.get()) {
            lost = why;
            log.warn("Lost store lock {} ({}): run {} will stop before publishing", file, why, owner.runId());
            heartbeat.shutdown();
        }
        return lost == null ? why : lost;
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    static String format(Duration d) {
        return d.compareTo(Duration.ofSeconds(10)) >= 0
                ? d.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static void pause(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the store lock");
        }
    }

    /** One call of {@link #acquire}: what it has watched so far, by its own clock. */
    private static final class Acquisition {

        private final LockFile files;
        private final Path root;
        private final Path file;
        private final LockOwner me;
        private final byte[] content;
        private final Duration lease;

        /** The lock as first seen, unchanged since {@code watchedSince}. */
        private Snapshot watched;

        private long watchedSince;
        private Duration wait;

        /** A takeover marker of another contender, unchanged since {@code markerSince}. */
        private Snapshot marker;

        private long markerSince;

        Acquisition(LockFile files, Path root, LockOwner me, Duration lease) {
            this.files = files;
            this.root = root;
            this.file = new Path(root, FILE);
            this.me = me;
            this.content = me.toJson();
            this.lease = lease;
        }

        RunLock run() throws IOException {
            int vanished = 0;
            while (true) {
                long t0 = System.nanoTime();
                if (files.createExclusive(file, content)) {
                    return acquired(t0, null);
                }
                Snapshot held = files.read(file);
                if (!held.exists()) {
                    // Released between the two calls; more than rarely means something odd is at that path.
                    if (++vanished > 500) {
                        throw new IOException("cannot create the store lock " + file + ", nor read it");
                    }
                    pause(backoff());
                    continue;
                }
                if (watched == null) {
                    watch(held);
                } else if (!watched.sameVersion(held)) {
                    throw locked(held);
                }
                String stale = staleness(held);
                if (stale == null) {
                    pause(pollPeriod(wait));
                    continue;
                }
                RunLock taken = takeOver(held, stale);
                if (taken != null) {
                    return taken;
                }
            }
        }

        private void watch(Snapshot held) {
            watched = held;
            watchedSince = System.nanoTime();
            Duration theirs = held.owner() == null
                    ? null
                    : held.owner().token() == null
                            ? LEGACY_LEASE
                            : held.owner().lease().orElse(null);
            wait = theirs != null && theirs.compareTo(lease) > 0 ? theirs : lease;
            if (held.owner() == null || !held.owner().processGoneOnThisHost()) {
                log.info(
                        "Store lock {} is held by {}; watching its heartbeat for up to {} (this process's clock) to"
                                + " tell whether that run is alive",
                        file,
                        held.describe(),
                        format(wait));
            }
        }

        /** Why the watched lock is stale, or null while its holder may be alive. */
        private String staleness(Snapshot held) {
            if (held.owner() != null && held.owner().processGoneOnThisHost()) {
                return "its process " + held.owner().pid() + " on this host is gone";
            }
            long age = System.nanoTime() - watchedSince;
            if (age >= wait.toNanos()) {
                return "no heartbeat for " + format(Duration.ofNanos(age)) + " by this process's clock, lease "
                        + format(wait);
            }
            return null;
        }

        /** Takes over the stale lock {@code held}; null when this contender must look again. */
        private RunLock takeOver(Snapshot held, String reason) throws IOException {
            Path markerPath = new Path(root, MARKER + held.key());
            LockOwner taker = LockOwner.ofThisProcess(me.runId(), me.applicationId(), lease);
            if (!files.createExclusive(markerPath, taker.toJson())) {
                markerBusy(markerPath);
                return null;
            }
            marker = null;
            try {
                if (!files.read(file).sameVersion(held)) {
                    return null; // changed: a live holder, or another run took it over; look again
                }
                log.warn("Taking over stale lock {} ({}): {}", file, reason, held.describe());
                Path aside = new Path(root, ASIDE + taker.token());
                if (!files.moveAside(file, aside)) {
                    return null;
                }
                Snapshot removed = files.read(aside);
                if (!removed.sameVersion(held)) {
                    // It changed between the check and the rename: not ours to remove.
                    if (!files.moveBack(aside, file)) {
                        files.delete(aside);
                    }
                    return null;
                }
                files.delete(aside);
                long t0 = System.nanoTime();
                if (files.createExclusive(file, content)) {
                    return acquired(t0, markerPath);
                }
                return null; // another run got in first
            } finally {
                deleteQuietly(markerPath);
            }
        }

        /** Another contender's marker is in the way: wait for it, or remove it once it is abandoned. */
        private void markerBusy(Path markerPath) throws IOException {
            Snapshot m = files.read(markerPath);
            if (!m.exists()) {
                marker = null;
                pause(backoff());
                return;
            }
            if (marker == null || !marker.sameVersion(m)) {
                marker = m;
                markerSince = System.nanoTime();
            }
            String abandoned = null;
            if (m.owner() != null && m.owner().processGoneOnThisHost()) {
                abandoned = "its process " + m.owner().pid() + " on this host is gone";
            } else if (System.nanoTime() - markerSince >= wait.toNanos()) {
                abandoned = "unchanged for " + format(wait) + " by this process's clock";
            }
            if (abandoned == null) {
                pause(pollPeriod(wait));
                return;
            }
            log.warn("Removing abandoned takeover marker {} ({}): {}", markerPath, abandoned, m.describe());
            files.delete(markerPath);
            marker = null;
            pause(backoff());
        }

        /** The lock is ours; {@code ownMarker}, if any, is the takeover marker the caller deletes next. */
        private RunLock acquired(long createdNanos, Path ownMarker) {
            RunLock lock = new RunLock(files, root, me, lease, createdNanos);
            // Markers and moved-aside files of other tokens are garbage now (left by crashed takers).
            try {
                for (Path p : files.list(root, FILE + ".")) {
                    String name = p.getName();
                    boolean own = ownMarker != null && name.equals(ownMarker.getName());
                    if (!own && (name.startsWith(MARKER) || name.startsWith(ASIDE))) {
                        log.info("Removing leftover {}", p);
                        files.delete(p);
                    }
                }
            } catch (IOException e) {
                log.warn("Could not remove leftover files of the store lock under {}: {}", root, e.toString());
            }
            log.info("Took store lock {} for run {} (lease {})", file, me.runId(), format(lease));
            return lock;
        }

        private StoreLockedException locked(Snapshot held) throws IOException {
            for (int i = 0; i < 10 && held.exists() && held.owner() == null; i++) {
                pause(Duration.ofMillis(50)); // being written: wait for a readable owner
                held = files.read(file);
            }
            return new StoreLockedException("--output " + root + ": locked by another run (" + held.describe()
                    + "), whose heartbeat on " + file + " is live; it must finish first. If its process is dead,"
                    + " delete " + file + " by hand (hdfs dfs -rm " + file + ")");
        }

        private void deleteQuietly(Path p) {
            try {
                files.delete(p);
            } catch (IOException e) {
                log.warn("Could not delete {}: {}", p, e.toString());
            }
        }

        private static Duration backoff() {
            return Duration.ofMillis(5 + ThreadLocalRandom.current().nextInt(20));
        }
    }
}
