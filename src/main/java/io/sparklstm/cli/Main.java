package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.DivergedException;
import io.sparklstm.common.ExitCode;
import io.sparklstm.common.Redact;
import io.sparklstm.common.StoreLockedException;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.job.TrainingJob;
import io.sparklstm.store.RunStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line of the training job, the application jar's main class: {@code spark-submit --class
 * io.sparklstm.cli.Main sparklstm.jar [options]}. Exit codes: {@link ExitCode}.
 *
 * <p>{@link #main} returns normally on success and calls {@link System#exit} only with a non-zero code: in YARN's
 * cluster mode Spark's ApplicationMaster treats an exit from the user class, even with 0, as a failed attempt.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        int code = execute(args, SparkContexts.perRun(), Clock.systemUTC());
        if (code != ExitCode.OK.code()) {
            System.exit(code);
        }
    }

    /** Runs the command and returns its exit code; never calls {@link System#exit}. */
    public static int execute(String[] args, SparkContexts contexts, Clock clock) {
        PrintStream err = System.err;
        try {
            Invocation invocation = Invocation.parse(args, clock);
            if (invocation.help() != null) {
                System.out.print(invocation.help());
                return ExitCode.OK.code();
            }
            return train(invocation.config(), contexts).code();
        } catch (BadInputException e) {
            err.println(oneLine("sparklstm: " + e.getMessage() + " (see --help)"));
            return ExitCode.BAD_INPUT.code();
        } catch (StoreLockedException e) {
            err.println(oneLine("sparklstm: " + e.getMessage()));
            return ExitCode.LOCKED.code();
        } catch (DivergedException e) {
            err.println(oneLine("sparklstm: " + e.getMessage()));
            return ExitCode.DIVERGED.code();
        } catch (Exception e) {
            log.error("sparklstm failed", e);
            err.println(oneLine("sparklstm: failed: " + e));
            return ExitCode.FAILURE.code();
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

    private static ExitCode train(JobConfig config, SparkContexts contexts) throws Exception {
        JavaSparkContext sc = contexts.open();
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
            return result.promoted() ? ExitCode.OK : ExitCode.NOT_PROMOTED;
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
