package io.sparklstm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.JobRuns;
import io.sparklstm.cli.Main;
import io.sparklstm.common.ExitCode;
import io.sparklstm.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A diverging run is never promoted, and a non-finite checkpoint is never resumed. */
class DivergenceTest {

    @TempDir
    Path tmp;

    private static List<String> command(Path store, String runId, String... extra) {
        List<String> args = JobRuns.smallRunArgs(store, runId);
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void aHugeLearningRateIsNeverPromoted() {
        Path store = tmp.resolve("store");
        int code = JobRuns.run(command(store, "huge", "--learning-rate", "10", "--lr-decay", "1"));

        assertTrue(code == ExitCode.DIVERGED.code() || code == ExitCode.NOT_PROMOTED.code(), "exit " + code);
        assertFalse(Files.exists(store.resolve("CURRENT")), "nothing promoted");
        if (code == ExitCode.DIVERGED.code()) {
            assertFalse(Files.exists(store.resolve("runs/huge")), "nothing published");
        }
    }

    @Test
    void aRunThatDivergesExitsFourWithOneLineAndLeavesNoCheckpointOfThatStateAndNothingPublished() throws Exception {
        Path store = tmp.resolve("diverged");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = JobRuns.withFault(
                    io.sparklstm.train.DivergenceGuard.NAN_LOSS_FROM_EPOCH_2,
                    () -> JobRuns.run(command(store, "nan", "--epochs", "2")));
        } finally {
            System.setErr(stderr);
        }

        String message = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(ExitCode.DIVERGED.code(), code, message);
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("diverged in epoch 2, round 1"), message);
        assertTrue(Files.exists(store.resolve("_work/nan/checkpoints/epoch-0001")), "epoch 1 was finite");
        assertFalse(Files.exists(store.resolve("_work/nan/checkpoints/epoch-0002")), "no checkpoint of that state");
        assertFalse(Files.exists(store.resolve("runs/nan")), "nothing published");
        assertFalse(Files.exists(store.resolve("CURRENT")), "nothing promoted");
        assertFalse(Files.exists(store.resolve("_LOCK")), "lock released");
    }

    @Test
    void aNonFiniteCheckpointIsSkippedAndTrainingStartsAfresh() throws Exception {
        Path store = tmp.resolve("nan");
        List<String> args = command(store, "nan-resume");
        JobConfig config = Main.parse(args.toArray(String[]::new));
        Preflight preflight = new Preflight(new Configuration(), 2);
        RunPlan plan = preflight.check(config, preflight.store(config));
        MultiLayerNetwork poisoned = io.sparklstm.model.SeedNetwork.from(config).newNetwork();
        poisoned.params().putScalar(3, Double.POSITIVE_INFINITY);
        plan.store().checkpoints("nan-resume").save(1, poisoned, null, plan.fingerprint(), List.of());

        int code = JobRuns.run(args);

        assertTrue(code == ExitCode.OK.code() || code == ExitCode.NOT_PROMOTED.code(), "exit " + code);
        JsonNode provenance = new ObjectMapper()
                .readTree(store.resolve("runs/nan-resume/provenance.json").toFile());
        assertTrue(provenance.path("resumedFromEpoch").isNull(), "not resumed from the non-finite checkpoint");
        assertEquals(1, provenance.path("epochs").size());
        assertTrue(Double.isFinite(provenance.path("epochs").get(0).path("loss").asDouble()));
    }
}
