package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Who holds (or takes over) a {@link RunLock}: the JSON document in {@code _LOCK} and in a takeover marker.
 *
 * <p>{@code token} is a random UUID per acquisition; it is what a holder checks to know that the file is still its
 * own. {@code host}, {@code pid} and {@code scope} let a contender on the same machine see at once that the holder's
 * process is gone; {@code scope} (the kernel's boot id and the pid namespace, on Linux) keeps two containers that share
 * a host name, or two boots of one machine, from reading each other's pids. {@code pidStartedAt} tells a live process
 * from a later one that got the same pid. Fields a hand-written or older lock lacks are null (or 0).
 *
 * @param token random owner token (a UUID), or null when the file has none
 * @param heartbeat heartbeats written into the file (only on stores whose modification time cannot be set, see {@link
 *     LockFile}); elsewhere the heartbeat is the file's modification time and this stays 0
 */
record LockOwner(
        String token,
        String runId,
        String host,
        long pid,
        Long pidStartedAt,
        String scope,
        String applicationId,
        String startedAt,
        Long leaseMillis,
        long heartbeat) {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A start time this far from the recorded one means another process got the pid. */
    private static final long START_TOLERANCE_MILLIS = 2_000;

    static final String HOST = hostName();
    static final String SCOPE = processScope();

    /** A new owner for this process, with a fresh token. */
    static LockOwner ofThisProcess(String runId, String applicationId, Duration lease) {
        ProcessHandle self = ProcessHandle.current();
        return new LockOwner(
                UUID.randomUUID().toString(),
                runId,
                HOST,
                self.pid(),
                self.info().startInstant().map(Instant::toEpochMilli).orElse(null),
                SCOPE,
                applicationId,
                Instant.now().toString(),
                lease.toMillis(),
                0);
    }

    /** The owner a file's bytes describe, or null when they are not a JSON object (being written, or damaged). */
    static LockOwner parse(byte[] bytes) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.isObject()) {
            return null;
        }
        String token = text(n, "token");
        return new LockOwner(
                token != null && UUID_TEXT.matcher(token).matches() ? token : null,
                text(n, "runId"),
                text(n, "host"),
                n.path("pid").asLong(0),
                n.path("pidStartedAt").canConvertToLong()
                        ? n.path("pidStartedAt").asLong()
                        : null,
                text(n, "scope"),
                text(n, "applicationId"),
                text(n, "startedAt"),
                n.path("leaseMillis").canConvertToLong() ? n.path("leaseMillis").asLong() : null,
                n.path("heartbeat").asLong(0));
    }

    LockOwner withHeartbeat(long count) {
        return new LockOwner(
                token, runId, host, pid, pidStartedAt, scope, applicationId, startedAt, leaseMillis, count);
    }

    byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", token);
        m.put("runId", runId);
        m.put("host", host);
        m.put("pid", pid);
        m.put("pidStartedAt", pidStartedAt);
        m.put("scope", scope);
        m.put("applicationId", applicationId);
        m.put("startedAt", startedAt);
        m.put("leaseMillis", leaseMillis);
        m.put("heartbeat", heartbeat);
        try {
            return Json.MAPPER.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The lease the owner itself works with, if recorded. */
    Optional<Duration> lease() {
        return leaseMillis == null || leaseMillis <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(leaseMillis));
    }

    /**
     * True when the owner ran on this machine (same host name and, when both know it, the same boot and pid namespace)
     * and its process no longer exists: no process with its pid, or one that started at another time.
     */
    boolean processGoneOnThisHost() {
        if (host == null || !host.equals(HOST) || pid <= 0) {
            return false;
        }
        if (scope != null && SCOPE != null && !scope.equals(SCOPE)) {
            return false; // another container or another boot: its pid means nothing here
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        if (pidStartedAt != null) {
            Optional<Instant> started = process.get().info().startInstant();
            return started.isPresent()
                    && Math.abs(started.get().toEpochMilli() - pidStartedAt) > START_TOLERANCE_MILLIS;
        }
        return false;
    }

    /** "run R on H pid P, started T", for messages. */
    String describe() {
        return "run " + runId + " on " + host + " pid " + pid + ", started " + startedAt;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Linux: "<boot id>/<pid namespace>"; null elsewhere. */
    private static String processScope() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
                    .strip();
            String pidNamespace =
                    Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return boot + "/" + pidNamespace;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
