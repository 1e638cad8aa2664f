package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.DivergedException;
import io.sparklstm.common.ExitCode;
import io.sparklstm.common.Redact;
import io.sparklstm.common.StoreLockedException;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.job.TrainingJob;
import io.sparklstm.score.ScoreJob;
import io.sparklstm.score.ScoreRequest;
import io.sparklstm.store.RunOutcomes;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkUserAppException;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of the training job, the application jar's main class: {@code spark-submit --class
 * io.sparklstm.cli.Main sparklstm.jar [options]}. Exit codes: {@link ExitCode}.
 *
 * <p>{@link #main} returns normally on success. A non-zero code leaves {@code main} the way Spark propagates a user
 * application's exit code: as a {@link SparkUserAppException} when a Spark launcher called {@code main} (SparkSubmit,
 * in client deploy mode and in Kubernetes driver pods, exits the JVM with that code; YARN's ApplicationMaster, in
 * cluster deploy mode, ends the attempt with final status FAILED, exits its container with that code and reports
 * "User application exited with status N" in the application's diagnostics), and as {@link System#exit} when
 * {@code main} was started by {@code java} directly. Calling {@link System#exit} inside the ApplicationMaster would
 * be recorded as an early exit (code 16) and retried, even with code 0.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** The training command's name; it is also the command when the first word is an option. */
    static final String TRAIN = "train";

    private Main() {}

    public static void main(String[] args) throws SparkUserAppException {
        boolean[] opened = {false};
        SparkContexts perRun = SparkContexts.perRun();
        SparkContexts contexts = new SparkContexts() {
            @Override
            public JavaSparkContext open() {
                opened[0] = true;
                return perRun.open();
            }

            @Override
            public void close(JavaSparkContext sc) {
                perRun.close(sc);
            }
        };
        int code = execute(args, contexts, Clock.systemUTC());
        if (code != ExitCode.OK.code()) {
            if (System.getProperty("spark.yarn.app.id") != null && !opened[0]) {
                // YARN cluster mode, refused before training (a bad option): the ApplicationMaster registers with the
                // ResourceManager only once a SparkContext exists, and without that it would replace the exit code by
                // its own 13 and could not hand YARN the diagnostics that carry the job's code.
                contexts.close(contexts.open());
            }
            if (underSparkLauncher()) {
                throw new SparkUserAppException(code);
            }
            System.exit(code);
        }
    }

    /**
     * Whether {@code main} runs inside a Spark launcher: SparkSubmit sets the system property {@code SPARK_SUBMIT}, and
     * YARN's ApplicationMaster (cluster deploy mode) sets {@code spark.yarn.app.id} before it calls the user class.
     */
    static boolean underSparkLauncher() {
        return System.getProperty("SPARK_SUBMIT") != null || System.getProperty("spark.yarn.app.id") != null;
    }

    /**
     * Runs the command and returns its exit code; never calls {@link System#exit}. Once the command line is valid, the
     * outcome is also recorded in the store ({@link RunOutcomes}) for schedulers.
     */
    public static int execute(String[] args, SparkContexts contexts, Clock clock) {
        if (args.length > 0 && args[0].equals(ScoreCommand.NAME)) {
            return score(Arrays.copyOfRange(args, 1, args.length), contexts);
        }
        if (args.length > 0 && args[0].equals(RunsCommand.NAME)) {
            return runs(Arrays.copyOfRange(args, 1, args.length));
        }
        if (args.length > 0 && args[0].equals(TRAIN)) {
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        JobConfig config = null;
        Configuration[] hadoop = {null};
        Outcome outcome;
        try {
            Invocation invocation = Invocation.parse(args, clock);
            if (invocation.help() != null) {
                System.out.print(invocation.help());
                return ExitCode.OK.code();
            }
            config = invocation.config();
            outcome = train(config, contexts, hadoop);
        } catch (Exception e) {
            outcome = Outcome.of(e);
        }
        if (outcome.code() != ExitCode.OK && outcome.code() != ExitCode.NOT_PROMOTED) {
            System.err.println(outcome.message());
        }
        if (config != null) {
            record(config, hadoop[0] != null ? hadoop[0] : new Configuration(), outcome);
        }
        return outcome.code().code();
    }

    /** The {@code runs} command: 0 with the table printed, 2 for a bad command line or a missing store, else 1. */
    private static int runs(String[] args) {
        try {
            return RunsCommand.run(args, new Configuration(), System.out);
        } catch (Exception e) {
            Outcome outcome = Outcome.of(e);
            System.err.println(outcome.message());
            return outcome.code().code();
        }
    }

    /** The {@code score} command: exit 0 once the predictions are written, 2 for a bad input, 1 otherwise. */
    private static int score(String[] args, SparkContexts contexts) {
        try {
            ScoreRequest request = ScoreCommand.parse(args);
            if (request == null) {
                System.out.print(ScoreCommand.usage());
                return ExitCode.OK.code();
            }
            JavaSparkContext sc = contexts.open();
            try {
                ScoreJob.Result result = new ScoreJob(request, sc).run();
                System.out.printf(
                        Locale.ROOT,
                        "Scored:  %d images in %.1f s (%.0f images/s) with %s (model.zip SHA-256 %s)%nOutput:  %s%n",
                        result.images(),
                        result.seconds(),
                        result.imagesPerSecond(),
                        result.model(),
                        result.modelSha256(),
                        result.output());
                if (result.accuracy() != null) {
                    System.out.printf(Locale.ROOT, "Accuracy: %.4f%n", result.accuracy());
                }
                return ExitCode.OK.code();
            } finally {
                contexts.close(sc);
            }
        } catch (Exception e) {
            Outcome outcome = Outcome.of(e);
            System.err.println(outcome.message());
            return outcome.code().code();
        }
    }

    /** How the command ended: its exit code and a one-line message. */
    private record Outcome(ExitCode code, String message) {

        static Outcome of(Exception e) {
            if (e instanceof BadInputException) {
                return new Outcome(ExitCode.BAD_INPUT, oneLine("sparklstm: " + e.getMessage() + " (see --help)"));
            } else if (e instanceof StoreLockedException) {
                return new Outcome(ExitCode.LOCKED, oneLine("sparklstm: " + e.getMessage()));
            } else if (e instanceof DivergedException) {
                return new Outcome(ExitCode.DIVERGED, oneLine("sparklstm: " + e.getMessage()));
            }
            log.error("sparklstm failed", e);
            return new Outcome(ExitCode.FAILURE, oneLine("sparklstm: failed: " + e));
        }
    }

    /**
     * Records the outcome in the store, best effort (a store that cannot be written is the job's failure already);
     * not a refused run's (bad input, store locked by another run), which leaves the store as it was.
     */
    private static void record(JobConfig config, Configuration hadoop, Outcome outcome) {
        if (outcome.code() == ExitCode.BAD_INPUT || outcome.code() == ExitCode.LOCKED) {
            return;
        }
        try {
            RunOutcomes.at(config.get(JobParams.OUTPUT), hadoop)
                    .record(new RunOutcomes.Outcome(
                            config.get(JobParams.RUN_ID),
                            outcome.code().code(),
                            outcome.code().name(),
                            outcome.message(),
                            config.get(JobParams.SUBMISSION_ID)));
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "Could not record the run's outcome ({}) in {}: {}",
                    outcome.code(),
                    config.get(JobParams.OUTPUT),
                    e.toString());
        }
    }

    /** A message as one line without credentials: line breaks (e.g. from a parser) folded, URIs redacted. */
    static String oneLine(String message) {
        return Redact.uri(message.replaceAll("\\s*\\R\\s*", " ").strip());
    }

    /**
     * The configuration that {@code args} would run with (bundled defaults, then {@code args}), without running
     * anything; for tools and tests that drive {@link TrainingJob} directly.
     */
    public static JobConfig parse(String... args) {
        return Invocation.parse(args, Clock.systemUTC()).config();
    }

    /** Trains; {@code hadoop[0]} receives the context's Hadoop configuration (spark.hadoop.* applied). */
    private static Outcome train(JobConfig config, SparkContexts contexts, Configuration[] hadoop) throws Exception {
        JavaSparkContext sc = contexts.open();
        hadoop[0] = sc.hadoopConfiguration();
        try {
            TrainingJob.Result result = new TrainingJob(config, sc).run();
            org.apache.hadoop.fs.Path dir = result.runDir();
            System.out.printf(
                    "Model:   %s%nMetrics: %s%nTest accuracy: %.4f%nPromoted: %s (%s)%n",
                    new org.apache.hadoop.fs.Path(dir, RunStore.MODEL),
                    new org.apache.hadoop.fs.Path(dir, RunStore.METRICS),
                    result.metrics().accuracy(),
                    result.promoted() ? "yes" : "NO",
                    result.metrics().gate().reason());
            return new Outcome(
                    result.promoted() ? ExitCode.OK : ExitCode.NOT_PROMOTED,
                    oneLine(String.format(
                            "sparklstm: accuracy %.4f, %s (%s)",
                            result.metrics().accuracy(),
                            result.promoted() ? "promoted" : "NOT promoted",
                            result.metrics().gate().reason())));
        } finally {
            contexts.close(sc);
        }
    }

    /**
     * A parsed command line: either a request for help (its text) or a validated configuration. Values are applied
     * in order of precedence: the bundled properties, the {@code --config} file, the command line.
     */
    record Invocation(String help, JobConfig config) {

        static Invocation parse(String[] args, Clock clock) {
            ConfigSources.Layer bundled = ConfigSources.bundled();
            CommandLineArgs cli = CommandLineArgs.parse(args, ConfigSources.merged(bundled));
            String configFile = cli.values().get(JobParams.CONFIG.name());
            List<ConfigSources.Layer> layers =
                    configFile == null ? List.of(bundled) : List.of(bundled, ConfigSources.file(Path.of(configFile)));
            if (cli.helpRequested()) {
                return new Invocation(
                        CommandLineArgs.usage(ConfigSources.merged(layers.toArray(ConfigSources.Layer[]::new))), null);
            }
            JobConfig.Builder builder = JobConfig.builder();
            for (ConfigSources.Layer layer : layers) {
                layer.values().forEach((name, text) -> builder.setText(name, text, layer.source()));
            }
            cli.values().forEach((name, text) -> builder.setText(name, text, null));
            if (!builder.has(JobParams.RUN_ID)) {
                builder.set(JobParams.RUN_ID, JobConfig.timestampRunId(clock));
            }
            return new Invocation(null, builder.build());
        }
    }
}
