package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.JobProcess;
import io.sparklstm.cluster.MiniHdfs;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/**
 * A driver JVM killed in the middle of epoch 2 (SIGKILL, no shutdown hooks) and the same command run again: the rerun
 * takes over the dead run's lock, resumes from the epoch-1 checkpoint, completes, and ends where an uninterrupted run
 * ends, with no duplicate or partial run directory.
 */
class KillAndResumeIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(6);

    @Test
    void killedDriverResumesFromTheLastCheckpoint() throws Exception {
        String reference = MiniHdfs.shared().uri() + "/stores/reference-" + UUID.randomUUID();
        String nightly = MiniHdfs.shared().uri() + "/stores/nightly-" + UUID.randomUUID();

        try (JobProcess uninterrupted = JobProcess.start(args(reference))) {
            assertEquals(0, uninterrupted.waitFor(TIMEOUT), uninterrupted.tail());
        }

        try (JobProcess killed = JobProcess.start(args(nightly))) {
            killed.awaitLine(line -> line.contains("Checkpoint after epoch 1 written"), TIMEOUT);
            // Wait until epoch 2 has completed at least one averaging round, then kill mid-epoch.
            killed.awaitLine(line -> line.contains("Completed training of split"), TIMEOUT);
            killed.kill();
            assertFalse(killed.lines().stream().anyMatch(l -> l.contains("Epoch 2/3")), "killed before epoch 2 ended");
        }
        FileSystem fs = MiniHdfs.shared().fileSystem();
        assertFalse(fs.exists(new Path(nightly + "/runs/nightly")), "no partial run directory");
        assertTrue(fs.exists(new Path(nightly + "/" + RunLock.FILE)), "the dead driver's lock is left behind");

        try (JobProcess rerun = JobProcess.start(args(nightly))) {
            assertEquals(0, rerun.waitFor(TIMEOUT), rerun.tail());
            String resumed = rerun.awaitLine(line -> line.contains("Resuming run nightly from checkpoint"), TIMEOUT);
            assertTrue(resumed.contains("epoch-0001 (epoch 1 of 3 done)"), resumed);
            assertTrue(rerun.lines().stream().anyMatch(l -> l.contains("Taking over stale lock")), rerun.tail());
        }

        double expected = accuracy(fs, reference);
        double actual = accuracy(fs, nightly);
        assertEquals(expected, actual, 0.01, "within 1 percentage point of the uninterrupted run");
        assertEquals(List.of("nightly"), list(fs, nightly + "/runs"));
        assertFalse(fs.exists(new Path(nightly + "/_work")), "scratch space and checkpoints removed");
        assertFalse(fs.exists(new Path(nightly + "/" + RunLock.FILE)), "lock released");
        assertEquals(
                3,
                Json.read(fs, new Path(nightly + "/runs/nightly/metrics.json"))
                        .get("epochs")
                        .size());
    }

    private static String[] args(String store) throws IOException {
        return new String[] {
            "--data",
            MiniHdfs.sharedMnist(),
            "--output",
            store,
            "--run-id",
            "nightly",
            "--train-limit",
            "2560",
            "--test-limit",
            "1000",
            "--epochs",
            "3",
            "--lstm-units",
            "64",
            "--averaging-frequency",
            "5",
            "--gemm", // separate JVMs that must repeat bit for bit: a named engine, not one timed per JVM
            "onednn"
        }; // 4 averaging rounds per epoch: the kill lands inside epoch 2
    }

    private static double accuracy(FileSystem fs, String store) throws IOException {
        return Json.read(fs, new Path(store + "/runs/nightly/metrics.json"))
                .get("accuracy")
                .asDouble();
    }

    private static List<String> list(FileSystem fs, String dir) throws IOException {
        return Arrays.stream(fs.listStatus(new Path(dir)))
                .map(FileStatus::getPath)
                .map(Path::getName)
                .toList();
    }
}
