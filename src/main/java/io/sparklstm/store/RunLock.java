package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a model store, so that two runs with the same {@code --output} never overlap (a nightly run
 * that overruns into the next night, a manual run beside the scheduled one).
 *
 * <p>The lock is the file {@code <output>/_LOCK}, created with {@code overwrite=false} (atomic on HDFS and local
 * file systems) and holding its owner: run id, host, pid, Spark application id and start time. While the run lives
 * a heartbeat refreshes the file's modification time. A lock is stale, and taken over with a warning, when its owner
 * was on this host and that process is gone (a killed driver rerun on the same machine), or when its heartbeat is
 * older than the lease (a driver that died elsewhere). To clear a stale lock by hand: delete {@code <output>/_LOCK}
 * ({@code hdfs dfs -rm <output>/_LOCK}) after making sure its owner is really dead.
 */
public final class RunLock implements AutoCloseable {

    public static final String FILE = "_LOCK";

    private static final Logger log = LoggerFactory.getLogger(RunLock.class);

    private final FileSystem fs;
    private final Path file;
    private final ScheduledExecutorService heartbeat;

    private RunLock(FileSystem fs, Path file, Duration lease) {
        this.fs = fs;
        this.file = file;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparklstm-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, lease.toMillis() / 4);
        heartbeat.scheduleAtFixedRate(this::touch, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock of the store at {@code root} or fails with a {@link BadInputException} (exit 2) naming the
     * holder.
     */
    public static RunLock acquire(FileSystem fs, Path root, String runId, String applicationId, Duration lease)
            throws IOException {
        Path file = new Path(root, FILE);
        Map<String, Object> owner = new LinkedHashMap<>();
        owner.put("runId", runId);
        owner.put("host", hostName());
        owner.put("pid", ProcessHandle.current().pid());
        owner.put("applicationId", applicationId);
        owner.put("startedAt", Instant.now().toString());
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Json.write(fs, file, owner);
                return new RunLock(fs, file, lease);
            } catch (FileAlreadyExistsException e) {
                String stale = staleness(fs, file, lease);
                if (stale == null) {
                    throw new BadInputException("--output " + root + ": locked by another run (" + describe(fs, file)
                            + "); it must finish first. If it is dead, delete " + file);
                }
                log.warn("Taking over stale lock {} ({}): {}", file, stale, describe(fs, file));
                fs.delete(file, false);
            }
        }
        throw new BadInputException(
                "--output " + root + ": could not take the lock " + file + " (another run took it first)");
    }

    /** Why the existing lock is stale, or null when its owner may be alive. */
    private static String staleness(FileSystem fs, Path file, Duration lease) throws IOException {
        long age = System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime();
        if (age > lease.toMillis()) {
            return "no heartbeat for " + Duration.ofMillis(age).toSeconds() + " s";
        }
        try {
            JsonNode owner = Json.read(fs, file);
            if (hostName().equals(owner.path("host").asText())
                    && ProcessHandle.of(owner.path("pid").asLong())
                            .map(p -> !p.isAlive())
                            .orElse(true)) {
                return "its process " + owner.path("pid").asLong() + " on this host is gone";
            }
        } catch (IOException e) {
            return null; // being written right now: treat as alive
        }
        return null;
    }

    private static String describe(FileSystem fs, Path file) {
        try {
            JsonNode owner = Json.read(fs, file);
            return "run " + owner.path("runId").asText() + " on "
                    + owner.path("host").asText() + " pid " + owner.path("pid").asText() + ", started "
                    + owner.path("startedAt").asText();
        } catch (IOException e) {
            return "owner unreadable: " + e.getMessage();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void touch() {
        try {
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            log.warn("Could not refresh lock {}: {}", file, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        fs.delete(file, false);
    }
}
