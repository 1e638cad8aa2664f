package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.JobProcess;
import io.sparklstm.cluster.MiniHdfs;
import io.sparklstm.cluster.SubmitScripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/nightly.sh} as cron runs it: a real process per night, the run id is the UTC date, and the exit codes
 * tell an alerting system what happened (0 promoted, 3 not promoted, 2 refused; the submit script's own 10-14 and
 * anything else passed through unchanged); it runs the real submit scripts.
 */
class NightlyScriptIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    @Test
    void runsOncePerDayAndExitCodesTellWhatHappened() throws Exception {
        String store = MiniHdfs.shared().uri() + "/stores/nightly-script-" + UUID.randomUUID();
        Path submit = launcher();
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        assertEquals(0, nightly(submit, null, store, "--train-limit", "1280", "--epochs", "2"));
        assertEquals(
                today,
                RunStore.at(store, MiniHdfs.shared().fileSystem().getConf())
                        .current()
                        .orElseThrow());
        assertTrue(MiniHdfs.shared()
                .fileSystem()
                .exists(new org.apache.hadoop.fs.Path(store + "/runs/" + today + "/_SUCCESS")));

        assertEquals(
                2,
                nightly(submit, null, store, "--train-limit", "1280", "--epochs", "2"),
                "the same night again: refused, the run is complete");

        // A night whose model is far worse (one training step): kept, not promoted.
        assertEquals(3, nightly(submit, "2099-01-01", store, "--train-limit", "64", "--epochs", "1"));
        assertEquals(
                today,
                RunStore.at(store, MiniHdfs.shared().fileSystem().getConf())
                        .current()
                        .orElseThrow());
    }

    @Test
    void passesTheSubmitScriptsExitCodeThroughUnchanged() throws Exception {
        Path recorded = tmp.resolve("args");
        Path submit = tmp.resolve("fake-submit.sh");
        Files.writeString(submit, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$ARGS_OUT\"\nexit \"$FAKE_EXIT\"\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(
                Map.of("SUBMIT", submit.toString(), "ARGS_OUT", recorded.toString(), "RUN_ID", "2031-01-02"));
        for (int code : new int[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 137}) {
            env.put("FAKE_EXIT", Integer.toString(code));
            SubmitScripts.Result r = nightlyScript(env, "--output", "hdfs:///models", "--min-accuracy", "0.9");
            assertEquals(code, r.exitCode(), r.output());
            List<String> args = new java.util.ArrayList<>(Files.readAllLines(recorded));
            int id = args.indexOf("--submission-id");
            assertTrue(id > 0 && args.get(id + 1).startsWith("nightly-2"), "a submission id: " + args);
            args.subList(id, id + 2).clear();
            assertEquals(
                    List.of(
                            "--run-id",
                            "2031-01-02",
                            "--min-accuracy",
                            "0.97",
                            "--max-regression",
                            "0.005",
                            "--keep-runs",
                            "14",
                            "--output",
                            "hdfs:///models",
                            "--min-accuracy",
                            "0.9"),
                    args,
                    "the nightly flags, then the caller's (which win)");
        }
    }

    @Test
    void runsTheRealSubmitScripts() throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        // The scripts its --help and README name, by the relative paths a crontab uses; DRY_RUN=1 reaches them.
        for (String script :
                List.of("submit/run-local.sh", "submit/standalone.sh", "submit/yarn.sh", "submit/k8s.sh")) {
            SubmitScripts.Result r = nightlyScript(
                    Map.of("SUBMIT", script, "DRY_RUN", "1", "K8S_MASTER", "k8s://https://10.0.0.1:6443"),
                    "--data",
                    "hdfs:///datasets/mnist");
            assertEquals(0, r.exitCode(), script + ": " + r.output());
            int runId = r.command().indexOf("--run-id");
            assertTrue(runId > 0 && r.command().get(runId + 1).equals(today), script + ": " + r.stdout());
            assertEquals(
                    List.of("--data", "hdfs:///datasets/mnist"),
                    r.command().subList(r.command().size() - 2, r.command().size()));
        }
        SubmitScripts.Result missing = nightlyScript(Map.of("SUBMIT", "submit/submit-yarn.sh"));
        assertEquals(10, missing.exitCode(), missing.output());
        assertEquals(1, missing.stderrLines().size(), missing.output());
    }

    private static SubmitScripts.Result nightlyScript(Map<String, String> env, String... options) throws Exception {
        return SubmitScripts.run(SubmitScripts.ROOT.resolve("submit/nightly.sh"), SubmitScripts.ROOT, env, options);
    }

    private int nightly(Path submit, String runId, String store, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "submit/nightly.sh",
                "--data",
                MiniHdfs.sharedMnist(),
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
