package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.JobProcess;
import io.sparklstm.MiniHdfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/nightly.sh} as cron runs it: a real process per night, the run id is the UTC date, and the exit codes
 * tell an alerting system what happened (0 promoted, 3 not promoted, 2 refused).
 */
class NightlyScriptTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    @Test
    void runsOncePerDayAndExitCodesTellWhatHappened() throws Exception {
        String store = MiniHdfs.uri() + "/stores/nightly-script-" + UUID.randomUUID();
        Path submit = launcher();
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        assertEquals(0, nightly(submit, null, store, "--train-limit", "1280", "--epochs", "2"));
        assertEquals(
                today, RunStore.at(store, MiniHdfs.fs().getConf()).current().orElseThrow());
        assertTrue(MiniHdfs.fs().exists(new org.apache.hadoop.fs.Path(store + "/runs/" + today + "/_SUCCESS")));

        assertEquals(
                2,
                nightly(submit, null, store, "--train-limit", "1280", "--epochs", "2"),
                "the same night again: refused, the run is complete");

        // A night whose model is far worse (one training step): kept, not promoted.
        assertEquals(3, nightly(submit, "2099-01-01", store, "--train-limit", "64", "--epochs", "1"));
        assertEquals(
                today, RunStore.at(store, MiniHdfs.fs().getConf()).current().orElseThrow());
    }

    private int nightly(Path submit, String runId, String store, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "submit/nightly.sh",
                "--data",
                MiniHdfs.mnist(),
                "--output",
                store,
                "--test-limit",
                "500",
                "--lstm-units",
                "32",
                "--min-accuracy",
                "0.3",
                "--averaging-frequency",
                "5"));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SUBMIT", submit.toString());
        if (runId != null) {
            builder.environment().put("RUN_ID", runId);
        }
        try (JobProcess process = JobProcess.start(builder)) {
            return process.waitFor(TIMEOUT);
        }
    }

    /** Stands in for a submit script: starts the job's driver in local[2] with the arguments it is given. */
    private Path launcher() throws IOException {
        String driver =
                JobProcess.driverCommand().stream().map(s -> "'" + s + "'").collect(Collectors.joining(" "));
        Path script = tmp.resolve("submit-test.sh");
        Files.writeString(script, "#!/usr/bin/env bash\nexec " + driver + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
