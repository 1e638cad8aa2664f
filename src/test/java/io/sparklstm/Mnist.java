package io.sparklstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real MNIST files fetched by {@code data/fetch-mnist.sh} (CI runs it before the tests). */
public final class Mnist {

    public static final Path DIR = Path.of("data", "mnist").toAbsolutePath();

    private Mnist() {
    }

    /** The data directory, after checking that MNIST has been fetched. */
    public static Path dir() {
        assertTrue(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte")),
                "MNIST is missing in " + DIR + ": run data/fetch-mnist.sh");
        return DIR;
    }
}
