package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How each run id's latest submission ended, for schedulers: {@code <store>/outcomes/<run-id>.json} with the exit
 * code, its name, the one-line message and the scheduler's submission id, written by the driver as the job ends and
 * replaced by the next submission of the same run id.
 *
 * <p>Why a file and not just the exit code: on Kubernetes spark-submit does not report how the driver pod ended (it
 * exits 0 once the pod terminated), and in YARN's cluster deploy mode it exits 1 for every failure, so a scheduler
 * that needs the job's code reads it here (submit/nightly.sh does, through {@code io.sparklstm.cli.RunOutcome}). A
 * driver that dies before it can write (killed, out of memory) leaves no outcome for its submission id: the
 * scheduler counts that as a failure to rerun.
 *
 * <p>Not written for a refused run (exit 2, bad input; exit 5, the store is locked by another run): it leaves the
 * store as it was. A scheduler that finds no
 * outcome of its submission falls back to what spark-submit reported (submit/nightly.sh: see its --help).
 */
public final class RunOutcomes {

    public static final String DIR = "outcomes";

    /** One submission's outcome; {@code submissionId} is null when the scheduler gave none. */
    public record Outcome(
            String runId, int exitCode, String outcome, String message, String submissionId, String recordedAt) {

        public Outcome(String runId, int exitCode, String outcome, String message, String submissionId) {
            this(runId, exitCode, outcome, message, submissionId, Instant.now().toString());
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("runId", runId);
            json.put("exitCode", exitCode);
            json.put("outcome", outcome);
            json.put("message", message);
            json.put("submissionId", submissionId);
            json.put("recordedAt", recordedAt);
            return json;
        }

        static Outcome fromJson(JsonNode json) {
            return new Outcome(
                    json.path("runId").asText(),
                    json.path("exitCode").asInt(1),
                    json.path("outcome").asText(),
                    json.path("message").asText(),
                    json.path("submissionId").isTextual()
                            ? json.path("submissionId").asText()
                            : null,
                    json.path("recordedAt").asText());
        }
    }

    private final FileSystem fs;
    private final Path root;

    private RunOutcomes(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** The outcomes of the store at {@code storeUri}. */
    public static RunOutcomes at(String storeUri, Configuration hadoop) throws IOException {
        Path path = new Path(storeUri);
        FileSystem fs = path.getFileSystem(hadoop);
        return new RunOutcomes(fs, fs.makeQualified(path));
    }

    /** Records {@code outcome}, replacing the run id's previous one (written aside, then renamed into place). */
    public void record(Outcome outcome) throws IOException {
        Path dir = new Path(root, DIR);
        Path file = file(outcome.runId());
        Path tmp = new Path(dir, "." + outcome.runId() + ".json.tmp");
        fs.mkdirs(dir);
        fs.delete(tmp, false);
        Json.write(fs, tmp, outcome.toJson());
        fs.delete(file, false);
        if (!fs.rename(tmp, file)) {
            throw new IOException("could not rename " + tmp + " to " + file);
        }
    }

    /** The latest recorded outcome of {@code runId}, if any. */
    public Optional<Outcome> read(String runId) throws IOException {
        Path file = file(runId);
        if (!fs.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Outcome.fromJson(Json.read(fs, file)));
    }

    private Path file(String runId) {
        return new Path(new Path(root, DIR), runId + ".json");
    }
}
