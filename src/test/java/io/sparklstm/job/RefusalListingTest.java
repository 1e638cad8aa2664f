package io.sparklstm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.cli.Main;
import io.sparklstm.common.ExitCode;
import io.sparklstm.config.JobConfig;
import io.sparklstm.store.RunLock;
import io.sparklstm.store.RunStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of refused run leaves {@code --output} exactly as it was: the full listing (paths, sizes, modification
 * times) before and after is identical; no {@code _LOCK}, no {@code _work}. Each case builds its own store: a
 * published run {@code base} (a small network) promoted to {@code CURRENT}, plus whatever the case needs.
 */
class RefusalListingTest {

    /** What a case adds to the store before the refused command, and the command's extra options. */
    interface Setup {
        List<String> prepare(Path store, Path tmp) throws Exception;
    }

    @TempDir
    Path tmp;

    /** Locks a case holds for another run while the refused one tries; released after each case. */
    private static final List<RunLock> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void releaseHeldLocks() throws IOException {
        for (RunLock lock : HELD) {
            lock.close();
        }
        HELD.clear();
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("option out of bounds", "--batch-size", (s, t) -> List.of("--batch-size", "0")),
                refusal("unknown option", "--bogus", (s, t) -> List.of("--bogus", "1")),
                refusal(
                        "examples per round overflow",
                        "--averaging-frequency",
                        (s, t) ->
                                List.of("--workers", "4096", "--averaging-frequency", "10000", "--batch-size", "8192")),
                refusal("config file with unknown key", "unknown key 'epoch'", (s, t) -> {
                    Path file = Files.writeString(t.resolve("unknown.properties"), "epoch=3\n");
                    return List.of("--config", file.toString());
                }),
                refusal("config file with bad value", "unknown-value.properties", (s, t) -> {
                    Path file = Files.writeString(t.resolve("unknown-value.properties"), "dropout=1.5\n");
                    return List.of("--config", file.toString());
                }),
                refusal(
                        "missing config file",
                        "--config",
                        (s, t) -> List.of("--config", t.resolve("no").toString())),
                refusal(
                        "missing data directory",
                        "--data",
                        (s, t) -> List.of("--data", t.resolve("none").toString())),
                refusal("truncated data file", "is truncated", (s, t) -> List.of("--data", truncatedMnist(t))),
                refusal("run exists without --overwrite", "already exists", (s, t) -> List.of("--run-id", "base")),
                refusal("output is a file", "is a file", (s, t) -> {
                    Path file = Files.writeString(t.resolve("a-file"), "x");
                    return List.of("--output", file.toString());
                }),
                refusal("init-from names nothing", "--init-from", (s, t) -> List.of("--init-from", "nothing-here")),
                refusal("init-from of another shape", "parameters", (s, t) -> List.of("--init-from", "base")),
                refusal("init-from a damaged zip", "--init-from", (s, t) -> {
                    Path zip = Files.write(t.resolve("model.zip"), new byte[] {'P', 'K', 3, 4, 1, 2});
                    return List.of("--init-from", zip.toString());
                }),
                refusal("CURRENT names a missing run", "CURRENT", (s, t) -> {
                    writeByHand(s.resolve("CURRENT"), "gone\n");
                    return List.of();
                }),
                refusal("CURRENT escapes the store", "CURRENT", (s, t) -> {
                    writeByHand(s.resolve("CURRENT"), "../../etc\n");
                    return List.of();
                }),
                refusal("checkpoint made with other settings", "settings differ", (s, t) -> {
                    List<String> args = List.of("--run-id", "resumed");
                    JobConfig other = Main.parse(command(s, args).toArray(String[]::new)).toBuilder()
                            .setText("seed", "99", null)
                            .build();
                    Preflight preflight = new Preflight(new Configuration(), 2);
                    RunPlan plan = preflight.check(other, preflight.store(other));
                    plan.store()
                            .checkpoints("resumed")
                            .save(1, Fixtures.network(8, 1e-3, 1).newNetwork(), null, plan.fingerprint(), List.of());
                    return args;
                }),
                refusal(
                        "overwrite of the promoted run",
                        "--overwrite",
                        (s, t) -> List.of("--run-id", "base", "--overwrite")),
                refusal("a data file that is a FIFO", "not a regular file", (s, t) -> {
                    Path data = Files.createDirectories(t.resolve("fifo"));
                    for (String file :
                            List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte")) {
                        Files.copy(Mnist.dir().resolve(file), data.resolve(file));
                    }
                    Process mkfifo = new ProcessBuilder(
                                    "mkfifo",
                                    data.resolve("t10k-images-idx3-ubyte").toString())
                            .inheritIO()
                            .start();
                    assertEquals(0, mkfifo.waitFor());
                    return List.of("--data", data.toString());
                }),
                refusal("init-from a model with non-finite parameters", "not finite", (s, t) -> {
                    MultiLayerNetwork nan = Fixtures.network(16, 1e-3, 3).newNetwork();
                    nan.params().putScalar(0, Double.NaN);
                    Path zip = t.resolve("nan-model.zip");
                    org.deeplearning4j.util.ModelSerializer.writeModel(nan, zip.toFile(), false);
                    return List.of("--init-from", zip.toString());
                }),
                refusal("store locked by a live run", ExitCode.LOCKED, "locked by another run", (s, t) -> {
                    RunStore store = RunStore.at(s.toString(), new Configuration());
                    HELD.add(RunLock.acquire(
                            store.fileSystem(), store.root(), "other", "app-other", Duration.ofSeconds(3)));
                    return List.of("--run-id", "second");
                }));
    }

    private static Arguments refusal(String name, String named, Setup setup) {
        return refusal(name, ExitCode.BAD_INPUT, named, setup);
    }

    private static Arguments refusal(String name, ExitCode code, String named, Setup setup) {
        return Arguments.of(name, code, named, setup);
    }

    @BeforeAll
    static void sparkStartsBeforeTheFirstCaseCapturesStderr() {
        TestSpark.context();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedRunLeavesTheStoreAsItWas(String name, ExitCode expected, String named, Setup setup) throws Exception {
        Path store = tmp.resolve("store");
        publishBase(store);
        List<String> extra = setup.prepare(store, tmp);
        Map<String, String> before = listing(store);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(command(store, extra), err);

        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(expected.code(), code, message);
        assertEquals(1, message.strip().lines().count(), message);
        assertTrue(message.contains(named), message);
        assertEquals(before, listing(store), name);
    }

    private static List<String> command(Path store, List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
                "--data",
                Mnist.dir().toString(),
                "--output",
                store.toString(),
                "--train-limit",
                "256",
                "--test-limit",
                "256",
                "--epochs",
                "1",
                "--lstm-units",
                "16"));
        args.addAll(extra);
        return args;
    }

    private static int run(List<String> args, ByteArrayOutputStream err) {
        PrintStream stderr = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return Main.execute(args.toArray(String[]::new), TestSpark.sharedContexts(), Clock.systemUTC());
        } finally {
            System.setErr(stderr);
        }
    }

    /** A published, promoted run {@code base} of a network with 8 units (the commands ask for 16). */
    private static void publishBase(Path root) throws IOException {
        RunStore store = RunStore.at(root.toString(), new Configuration());
        Fixtures.publishSmallRun(store, "base", 3);
        store.promote("base");
    }

    /** As an operator's editor would: the local FileSystem's checksum file goes stale, so it is removed too. */
    private static void writeByHand(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    }

    private static String truncatedMnist(Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("truncated"));
        for (String file : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte")) {
            Files.copy(Mnist.dir().resolve(file), data.resolve(file));
        }
        byte[] labels = Files.readAllBytes(Mnist.dir().resolve("t10k-labels-idx1-ubyte"));
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), java.util.Arrays.copyOf(labels, labels.length - 10));
        return data.toString();
    }

    /** Every file and directory under {@code root}: relative path to size and modification time. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> listing = new TreeMap<>();
        if (!Files.exists(root)) {
            return listing;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (p.getFileName().toString().equals("_LOCK")) {
                    // Another live run's lock: its heartbeat rewrites it, so compare whose it is.
                    listing.put(
                            "_LOCK",
                            "token "
                                    + new ObjectMapper()
                                            .readTree(p.toFile())
                                            .path("token")
                                            .asText());
                    continue;
                }
                listing.put(
                        root.relativize(p).toString(),
                        (a.isDirectory() ? "dir " : a.size() + " bytes ")
                                + a.lastModifiedTime().toMillis());
            }
        }
        return new LinkedHashMap<>(listing);
    }
}
