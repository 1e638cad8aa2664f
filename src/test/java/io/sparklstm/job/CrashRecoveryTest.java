package io.sparklstm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.JobRuns;
import io.sparklstm.common.ExitCode;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run interrupted at each crash point (an injected I/O failure exactly there) is finished by rerunning the same
 * command, which exits with the code the uninterrupted run would have had and leaves the store complete: the run
 * published, {@code CURRENT} on it, no scratch space and no temporary files.
 */
class CrashRecoveryTest {

    private static final String RUN = "nightly";

    @TempDir
    static Path tmp;

    /** A store whose run {@value #RUN} trained all its epochs and stopped just before publishing. */
    private static Path trained;

    @BeforeAll
    static void trainUntilJustBeforePublishing() throws Exception {
        trained = tmp.resolve("trained");
        assertEquals(ExitCode.FAILURE.code(), run(trained, "publish-before-rename"));
        assertTrue(Files.isDirectory(trained.resolve("_work/" + RUN + "/checkpoints")));
        assertFalse(Files.exists(trained.resolve("runs/" + RUN)));
    }

    /** The job in this JVM, with {@code fault} injected (null: none). */
    private static int run(Path store, String fault, String... extra) throws Exception {
        List<String> args = JobRuns.args(
                store,
                RUN,
                "--train-limit",
                "2000",
                "--test-limit",
                "500",
                "--epochs",
                "2",
                "--lstm-units",
                "32",
                "--averaging-frequency",
                "5",
                "--keep-runs",
                "1");
        args.addAll(List.of(extra));
        return JobRuns.withFault(fault, () -> JobRuns.run(args));
    }

    private static Path copyOfTrained(String name) throws IOException {
        Path store = tmp.resolve(name);
        FileUtils.copyDirectory(trained.toFile(), store.toFile());
        return store;
    }

    /** An older published run, so that retention (--keep-runs 1) has something to delete. */
    private static void publishOlderRun(Path root) throws IOException {
        RunStore store = RunStore.at(root.toString(), new Configuration());
        Fixtures.publishSmallRun(store, "older", 3);
    }

    private static void assertFinished(Path store) throws IOException {
        assertTrue(Files.exists(store.resolve("runs/" + RUN + "/_SUCCESS")));
        assertEquals(RUN, Files.readString(store.resolve("CURRENT")).strip());
        assertFalse(Files.exists(store.resolve("_work")), "scratch space removed");
        assertFalse(Files.exists(store.resolve("_LOCK")));
        try (Stream<Path> files = Files.list(store)) {
            assertTrue(
                    files.map(p -> p.getFileName().toString())
                            .noneMatch(name -> name.startsWith(".CURRENT.") && !name.endsWith(".crc")),
                    "no temporary files");
        }
        assertFalse(Files.exists(store.resolve("runs/older")), "retention applied");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "publish-before-rename",
                "publish-after-rename",
                "promote-before-rename",
                "cleanup-during-retention",
                "cleanup-before-discard"
            })
    void rerunningTheSameCommandFinishesTheRun(String fault) throws Exception {
        Path store = copyOfTrained(fault);
        publishOlderRun(store);

        assertEquals(ExitCode.FAILURE.code(), run(store, fault));
        assertEquals(ExitCode.OK.code(), run(store, null));

        assertFinished(store);
    }

    @Test
    void aRunTheGateRefusedStillExitsThreeWhenFinishedByTheRerun() throws Exception {
        Path store = copyOfTrained("refused");

        assertEquals(ExitCode.FAILURE.code(), run(store, "publish-after-rename", "--min-accuracy", "0.999"));
        assertEquals(ExitCode.NOT_PROMOTED.code(), run(store, null, "--min-accuracy", "0.999"));

        assertTrue(Files.exists(store.resolve("runs/" + RUN + "/_SUCCESS")));
        assertFalse(Files.exists(store.resolve("CURRENT")), "nothing promoted");
        assertFalse(Files.exists(store.resolve("_work")));
    }

    @Test
    void overwriteNeverLosesTheOldRunBeforeTheNewOneIsInPlace() throws Exception {
        // A kept but unpromoted run: the promoted run (CURRENT) itself is never overwritten.
        Path store = copyOfTrained("overwrite");
        assertEquals(ExitCode.NOT_PROMOTED.code(), run(store, null, "--min-accuracy", "0.999"));
        String oldModel = Files.readString(store.resolve("runs/" + RUN + "/provenance.json"));

        assertEquals(
                ExitCode.FAILURE.code(),
                run(store, "publish-after-moving-old", "--overwrite", "--min-accuracy", "0.999"));
        assertFalse(Files.exists(store.resolve("runs/" + RUN)));
        assertEquals(oldModel, Files.readString(store.resolve("_work/" + RUN + "/replaced/provenance.json")));

        assertEquals(ExitCode.NOT_PROMOTED.code(), run(store, null, "--overwrite", "--min-accuracy", "0.999"));
        assertTrue(Files.exists(store.resolve("runs/" + RUN + "/_SUCCESS")));
        assertFalse(
                Files.readString(store.resolve("runs/" + RUN + "/provenance.json"))
                        .equals(oldModel),
                "replaced");
        assertFalse(Files.exists(store.resolve("_work")));
        assertFalse(Files.exists(store.resolve("CURRENT")));
    }
}
