package io.sparklstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line: help, exit codes, and that bad input never creates anything under --output. */
class MainTest {

    @TempDir
    Path tmp;

    private String out;
    private String err;

    private int run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            return Main.execute(args, TestSpark.sharedContexts(), Clock.systemUTC());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            out = outBytes.toString(StandardCharsets.UTF_8);
            err = errBytes.toString(StandardCharsets.UTF_8);
        }
    }

    private Path output() {
        return tmp.resolve("store");
    }

    private String[] withOutput(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--output");
        all.add(output().toString());
        return all.toArray(String[]::new);
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        assertEquals(0, run("--help"));
        for (io.sparklstm.config.Param<?> param : io.sparklstm.config.JobParams.ALL) {
            assertTrue(out.contains(param.option()), param.option() + " in\n" + out);
        }
        assertTrue(out.contains("(default: 10)"), out);
        assertTrue(out.contains("(default: 64)"), out);
        assertTrue(out.contains("(default: data/mnist)"), out);
        assertTrue(out.contains("Exit codes"), out);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--batch-size, 0, --batch-size",
        "--epochs, -1, --epochs",
        "--averaging-frequency, 0, --averaging-frequency",
        "--averaging-frequency, 1073741824, --averaging-frequency",
        "--batch-size, 8193, --batch-size",
        "--learning-rate, 0, --learning-rate",
        "--learning-rate, -0.1, --learning-rate",
        "--lstm-units, 0, --lstm-units",
        "--workers, -2, --workers",
        "--train-limit, -1, --train-limit",
        "--epochs, three, --epochs",
        "--run-id, ../escape, --run-id",
        "--lstm-impl, cudnn, --lstm-impl",
        "--lr-decay, 1.5, --lr-decay",
        "--dropout, 1, --dropout",
        "--dropout, -0.1, --dropout",
        "--augment-shift, 9, --augment-shift",
        "--min-accuracy, 97, --min-accuracy",
        "--keep-runs, -1, --keep-runs",
        "--bogus, 1, --bogus"
    })
    void badOptionsExitTwoNamingTheOptionAndWriteNothing(String option, String value, String named) {
        assertEquals(2, run(withOutput(option, value)));
        assertTrue(err.contains(named), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertFalse(Files.exists(output()));
    }

    @Test
    void missingDataDirectoryExitsTwoAndWritesNothing() {
        assertEquals(2, run(withOutput("--data", tmp.resolve("nowhere").toString())));
        assertTrue(err.contains("--data") && err.contains("not found"), err);
        assertFalse(Files.exists(output()));
    }

    @Test
    void malformedDataFileExitsTwoAndWritesNothing() throws IOException {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String name : new String[] {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
        }) {
            Files.copy(Mnist.dir().resolve(name), data.resolve(name));
        }
        byte[] labels = Files.readAllBytes(data.resolve("t10k-labels-idx1-ubyte"));
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), java.util.Arrays.copyOf(labels, labels.length - 10));

        assertEquals(2, run(withOutput("--data", data.toString())));
        assertTrue(err.contains("t10k-labels-idx1-ubyte") && err.contains("is truncated"), err);
        assertFalse(Files.exists(output()));
    }

    @Test
    void existingRunIsRefusedWithoutOverwrite() throws IOException {
        Files.createDirectories(output().resolve("runs/taken"));
        assertEquals(2, run(withOutput("--run-id", "taken")));
        assertTrue(err.contains("already exists") && err.contains("--overwrite"), err);
        assertFalse(Files.exists(output().resolve("_work")));
    }

    @Test
    void configFileOverridesBundledDefaultsAndOptionsOverrideIt() throws IOException {
        Path config = tmp.resolve("job.properties");
        Files.writeString(config, "epochs=7\nbatch-size=0\n");

        assertEquals(0, run("--config", config.toString(), "--help"));
        assertTrue(out.contains("(default: 7)"), out);

        assertEquals(2, run(withOutput("--config", config.toString())));
        assertTrue(err.contains("--batch-size"), err);

        Files.writeString(config, "epoch=7\n");
        assertEquals(2, run(withOutput("--config", config.toString())));
        assertTrue(err.contains("unknown key 'epoch'"), err);
        assertFalse(Files.exists(output()));
    }
}
