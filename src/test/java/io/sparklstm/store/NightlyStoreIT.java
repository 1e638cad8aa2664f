package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.TestSpark;
import io.sparklstm.cli.Main;
import io.sparklstm.cluster.MiniHdfs;
import io.sparklstm.common.BadInputException;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.common.StoreLockedException;
import io.sparklstm.job.TrainingJob;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model store on a real HDFS (MiniDFSCluster) under the conditions of unattended nightly runs: crashes before
 * publishing, a model that is worse, resumes, warm starts, retention and a second run that overlaps the first.
 */
class NightlyStoreIT {

    private String store;
    private FileSystem fs;

    @BeforeEach
    void freshStore() throws IOException {
        store = MiniHdfs.shared().uri() + "/stores/" + UUID.randomUUID();
        fs = MiniHdfs.shared().fileSystem();
    }

    @AfterEach
    void noInjectedFault() {
        System.clearProperty(FaultInjection.PROPERTY);
    }

    /** A small, quick run on an MNIST slice stored in HDFS; {@code extra} options override. */
    private TrainingJob.Result run(String runId, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--data",
                MiniHdfs.sharedMnist(),
                "--output",
                store,
                "--run-id",
                runId,
                "--train-limit",
                "1280",
                "--test-limit",
                "500",
                "--epochs",
                "2",
                "--lstm-units",
                "32",
                "--max-regression",
                "0.05",
                "--averaging-frequency",
                "5"));
        args.addAll(Arrays.asList(extra));
        return new TrainingJob(Main.parse(args.toArray(String[]::new)), TestSpark.context()).run();
    }

    private String current() throws IOException {
        return RunStore.at(store, fs.getConf()).current().orElse(null);
    }

    private JsonNode json(String path) throws IOException {
        return Json.read(fs, new Path(store + "/" + path));
    }

    private List<String> names(String dir) throws IOException {
        Path path = new Path(store + "/" + dir);
        if (!fs.exists(path)) {
            return List.of();
        }
        return Arrays.stream(fs.listStatus(path))
                .map(FileStatus::getPath)
                .map(Path::getName)
                .sorted()
                .toList();
    }

    @Test
    void publishesPromotesAndRecordsProvenance() throws IOException {
        TrainingJob.Result result = run("n1");

        assertTrue(result.promoted());
        assertEquals("n1", current());
        assertEquals(
                List.of(
                        "_SUCCESS",
                        "config.json",
                        "metrics.json",
                        "model.onnx",
                        "model.zip",
                        "provenance.json",
                        "report.html"),
                names("runs/n1").stream().filter(n -> !n.startsWith(".")).toList());
        assertEquals(
                List.of("CURRENT", "index.html", "runs"), // index.html: the store's history, renamed into place
                names("").stream().filter(n -> !n.startsWith(".")).toList(),
                "no lock, scratch space or temporary pointer left behind");

        JsonNode provenance = json("runs/n1/provenance.json");
        assertEquals(4, provenance.get("inputSha256").size());
        assertTrue(provenance
                .get("inputSha256")
                .toString()
                .contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"));
        assertEquals(12345, provenance.get("config").get("seed").asLong());
        assertEquals("1.0.0-M2", provenance.get("versions").get("dl4j").asText());
        assertEquals(
                org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                provenance.get("versions").get("spark").asText());
        assertEquals(40, provenance.get("versions").get("gitCommit").asText().length());
        assertEquals("local[2,4]", provenance.get("sparkMaster").asText());
        assertEquals(2, provenance.get("epochs").size());
        assertTrue(provenance.get("onnxSha256").asText().matches("[0-9a-f]{64}"), "model.onnx's SHA-256");
        assertTrue(json("runs/n1/metrics.json").get("gate").get("promote").asBoolean());

        // The store checks the model's digest whenever it loads it.
        RunStore runs = RunStore.at(store, fs.getConf());
        assertEquals(32 * 4, runs.loadModel("n1").getLayer(0).getParam("b").length());
        try (OutputStream out = fs.append(new Path(runs.runDir("n1"), RunStore.MODEL))) {
            out.write(0);
        }
        assertThrows(ModelFile.CorruptModelException.class, () -> runs.loadModel("n1"));
    }

    @Test
    void failureBetweenWritingAndRenameLeavesNoRunAndKeepsCurrent() throws IOException {
        run("good");
        System.setProperty(FaultInjection.PROPERTY, "publish-before-rename");
        IOException e = assertThrows(IOException.class, () -> run("crashed"));
        assertTrue(e.getMessage().contains("injected fault"), e.getMessage());

        assertEquals(List.of("good"), names("runs"));
        assertEquals("good", current());
        assertFalse(fs.exists(new Path(store, RunLock.FILE)), "lock released");

        System.clearProperty(FaultInjection.PROPERTY);
        TrainingJob.Result rerun = run("crashed");
        assertEquals(List.of("crashed", "good"), names("runs"));
        assertEquals(
                2,
                json("runs/crashed/provenance.json").get("resumedFromEpoch").asInt(),
                "the rerun resumed from the last checkpoint instead of training again");
        assertEquals(rerun.promoted() ? "crashed" : "good", current());
    }

    @Test
    void worseModelIsKeptButNotPromotedAndExitsThree() throws IOException {
        run("good");
        // One training step: far worse than "good" on the same test set.
        int exit = Main.execute(
                new String[] {
                    "--data",
                    MiniHdfs.sharedMnist(),
                    "--output",
                    store,
                    "--run-id",
                    "bad",
                    "--train-limit",
                    "64",
                    "--test-limit",
                    "500",
                    "--epochs",
                    "1",
                    "--lstm-units",
                    "32",
                    "--max-regression",
                    "0.05",
                    "--averaging-frequency",
                    "5"
                },
                TestSpark.sharedContexts(),
                java.time.Clock.systemUTC());

        assertEquals(3, exit);
        assertEquals("good", current());
        JsonNode gate = json("runs/bad/metrics.json").get("gate");
        assertFalse(gate.get("promote").asBoolean());
        assertEquals("good", gate.get("currentRunId").asText());
        // One step cannot beat a uniform guess: the gate's chance rules refuse it before the regression rule.
        String reason = gate.get("reason").asText();
        assertTrue(
                reason.contains("more than --max-regression")
                        || reason.contains("uniform guess")
                        || reason.contains("no better than chance"),
                gate.toString());
        assertTrue(fs.exists(new Path(store + "/runs/bad/_SUCCESS")), "the run is kept for inspection");
    }

    @Test
    void resumeRefusesChangedSettingsAndSkipsCorruptCheckpoints() throws IOException {
        System.setProperty(FaultInjection.PROPERTY, "publish-before-rename");
        assertThrows(IOException.class, () -> run("r"));
        System.clearProperty(FaultInjection.PROPERTY);
        Path checkpoints = new Path(store + "/_work/r/checkpoints");
        assertEquals(List.of("epoch-0001", "epoch-0002"), names("_work/r/checkpoints"));

        BadInputException changed = assertThrows(BadInputException.class, () -> run("r", "--batch-size", "32"));
        assertTrue(changed.getMessage().contains("batch-size was 64, now 32"), changed.getMessage());

        try (OutputStream out = fs.create(new Path(checkpoints, "epoch-0002/model.zip"), true)) {
            out.write("truncated".getBytes(StandardCharsets.UTF_8));
        }
        TrainingJob.Result resumed = run("r");
        assertEquals(
                1,
                json("runs/r/provenance.json").get("resumedFromEpoch").asInt(),
                "the corrupt epoch-2 checkpoint was skipped for epoch 1");
        assertEquals(2, resumed.metrics().epochs().size());
        assertFalse(fs.exists(checkpoints), "checkpoints are deleted once the run is complete");
    }

    @Test
    void warmStartContinuesFromTheCurrentModel() throws IOException {
        TrainingJob.Result base = run("base");
        // A learning rate too small to move the weights: the warm-started model must score like its source.
        TrainingJob.Result warm = run("warm", "--init-from", "current", "--learning-rate", "1e-12", "--epochs", "1");
        assertEquals(base.metrics().accuracy(), warm.metrics().accuracy(), 0.004);
        assertEquals(
                "run base (CURRENT)",
                json("runs/warm/provenance.json").get("initFrom").asText());

        TrainingJob.Result cold = run("cold", "--learning-rate", "1e-12", "--epochs", "1");
        assertTrue(cold.metrics().accuracy() < base.metrics().accuracy() - 0.2, "random weights score far lower");

        BadInputException e =
                assertThrows(BadInputException.class, () -> run("odd", "--init-from", "current", "--lstm-units", "16"));
        assertTrue(e.getMessage().contains("--init-from") && e.getMessage().contains("parameters"), e.getMessage());
        assertFalse(fs.exists(new Path(store + "/runs/odd")));
    }

    @Test
    void retentionKeepsTheNewestRunsAndNeverCurrent() throws IOException {
        run("a");
        run("b", "--train-limit", "64", "--epochs", "1"); // worse: not promoted, CURRENT stays "a"
        run("c", "--train-limit", "64", "--epochs", "1");
        assertEquals("a", current());
        run("d", "--train-limit", "64", "--epochs", "1", "--keep-runs", "2");

        assertEquals(List.of("a", "c", "d"), names("runs"), "the 2 newest plus CURRENT");
        assertEquals("a", current());
    }

    @Test
    void secondRunWithTheSameOutputIsLockedOut() throws IOException {
        fs.mkdirs(new Path(store));
        Path lock = new Path(store, RunLock.FILE);
        // Held by a live run: a real lock whose heartbeat is running.
        try (RunLock first = RunLock.acquire(
                fs, fs.makeQualified(new Path(store)), "first", "app-first", java.time.Duration.ofSeconds(3))) {
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> run("second"));
            assertTrue(e.getMessage().contains("locked by another run (run first"), e.getMessage());
            assertTrue(fs.exists(lock), "the first run's lock is untouched");
            assertEquals(List.of(), names("runs"));
        }

        // The same lock left behind by a process that no longer exists is stale and taken over.
        fs.delete(lock, false);
        Json.write(
                fs,
                lock,
                Map.of(
                        "runId",
                        "first",
                        "host",
                        java.net.InetAddress.getLocalHost().getHostName(),
                        "pid",
                        Long.MAX_VALUE,
                        "startedAt",
                        "2026-11-29T02:00:00Z"));
        assertTrue(run("second").promoted());
        assertFalse(fs.exists(lock));
    }
}
