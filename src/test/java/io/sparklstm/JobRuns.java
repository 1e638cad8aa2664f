package io.sparklstm;

import io.sparklstm.cli.Main;
import io.sparklstm.common.FaultInjection;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The job's command line run in the test JVM on the shared Spark context, on real MNIST. */
public final class JobRuns {

    private JobRuns() {}

    /** {@code --data <MNIST> --output store --run-id runId} followed by {@code options}. */
    public static List<String> args(Path store, String runId, String... options) {
        List<String> args = new ArrayList<>(
                List.of("--data", Mnist.dir().toString(), "--output", store.toString(), "--run-id", runId));
        args.addAll(List.of(options));
        return args;
    }

    /** {@link #args} of a small, quick run: 640 training and 256 test images, 1 epoch, 16 units, averaging every 5. */
    public static List<String> smallRunArgs(Path store, String runId, String... options) {
        List<String> args = args(
                store,
                runId,
                "--train-limit",
                "640",
                "--test-limit",
                "256",
                "--epochs",
                "1",
                "--lstm-units",
                "16",
                "--averaging-frequency",
                "5");
        args.addAll(List.of(options));
        return args;
    }

    /** Runs the command line; returns its exit code. */
    public static int run(List<String> args) {
        return Main.execute(args.toArray(String[]::new), TestSpark.sharedContexts(), Clock.systemUTC());
    }

    /** Runs {@code action} with the crash point {@code fault} injected ({@link FaultInjection}); null: none. */
    public static <T> T withFault(String fault, Callable<T> action) throws Exception {
        if (fault != null) {
            System.setProperty(FaultInjection.PROPERTY, fault);
        }
        try {
            return action.call();
        } finally {
            System.clearProperty(FaultInjection.PROPERTY);
        }
    }
}
