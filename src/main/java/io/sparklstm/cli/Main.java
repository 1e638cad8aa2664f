package io.sparklstm.cli;

import io.sparklstm.BadInputException;
import io.sparklstm.TrainingJob;
import io.sparklstm.config.JobConfig;
import io.sparklstm.model.LstmImplementation;
import io.sparklstm.store.RunStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of the training job, the application jar's main class: {@code spark-submit --class io.sparklstm.cli.Main
 * sparklstm.jar [options]}. Exit codes: 0 success (promoted), 1 failure, 2 bad input or usage, 3 not promoted.
 */
@Command(
        name = "sparklstm",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Trains a three-layer LSTM MNIST classifier with Spark and DL4J parameter averaging, evaluates "
                + "it on the test set and publishes model and metrics to a model store on any Hadoop FileSystem.",
        footer = {
            "",
            "Defaults come from conf/sparklstm.properties (bundled in the jar); --config FILE overrides "
                    + "them and command-line options override both.",
            "Exit codes: 0 success (model promoted), 1 failure, 2 bad input or usage (also: store locked by another "
                    + "run), 3 model kept but not promoted by the quality gate."
        })
public final class Main implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_NOT_PROMOTED = 3;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(
            names = "--data",
            paramLabel = "URI",
            description = "Directory with train-/t10k- images-idx3-ubyte and "
                    + "labels-idx1-ubyte files, raw or .gz, on any Hadoop FileSystem (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(
            names = "--output",
            paramLabel = "URI",
            description =
                    "Model store; the run is written to " + "<output>/runs/<run-id>/ (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(
            names = "--run-id",
            paramLabel = "ID",
            description = "Name of the run directory (default: the UTC start " + "time, e.g. 20261129T020304Z).")
    String runId;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Minibatch size per worker (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--averaging-frequency",
            paramLabel = "N",
            description = "Minibatches each worker fits between " + "parameter averagings (default: ${DEFAULT-VALUE}).")
    int averagingFrequency;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Data-parallel workers; 0 = Spark's default " + "parallelism (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--prefetch-batches",
            paramLabel = "N",
            description = "Minibatches each worker loads ahead " + "(default: ${DEFAULT-VALUE}).")
    int prefetchBatches;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of weight initialisation and data shuffling " + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--learning-rate",
            paramLabel = "X",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--lr-decay",
            paramLabel = "X",
            description = "Multiply the learning rate by X after every epoch; "
                    + "1 keeps it constant (default: ${DEFAULT-VALUE}).")
    double lrDecay;

    @Option(
            names = "--dropout",
            paramLabel = "P",
            description = "Dropout probability on the inputs of LSTM layers 2 "
                    + "and 3 and of the dense layer while training; 0 = none (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(
            names = "--augment-shift",
            paramLabel = "PX",
            description = "Move each training image by a random offset of "
                    + "up to PX pixels per axis, anew every epoch; 0 = off (default: ${DEFAULT-VALUE}).")
    int augmentShift;

    @Option(
            names = "--lstm-units",
            paramLabel = "N",
            description = "Units of each LSTM layer (default: ${DEFAULT-VALUE}).")
    int lstmUnits;

    @Option(
            names = "--lstm-impl",
            paramLabel = "IMPL",
            converter = LstmImplementationConverter.class,
            description = "LSTM layer implementation: fast (the project's) or stock (DL4J's) "
                    + "(default: ${DEFAULT-VALUE}).")
    LstmImplementation lstmImpl;

    @Option(
            names = "--train-limit",
            paramLabel = "N",
            description = "Use only the first N training examples; 0 = all " + "(default: ${DEFAULT-VALUE}).")
    int trainLimit;

    @Option(
            names = "--test-limit",
            paramLabel = "N",
            description = "Use only the first N test examples; 0 = all " + "(default: ${DEFAULT-VALUE}).")
    int testLimit;

    @Option(
            names = "--overwrite",
            description = "Replace an existing run directory with the same id " + "(default: ${DEFAULT-VALUE}).",
            fallbackValue = "true",
            arity = "0..1")
    boolean overwrite;

    @Option(
            names = "--min-accuracy",
            paramLabel = "X",
            description = "Quality gate: promote only a model with at "
                    + "least this test accuracy (default: ${DEFAULT-VALUE}).")
    double minAccuracy;

    @Option(
            names = "--max-regression",
            paramLabel = "X",
            description =
                    "Quality gate: largest test-accuracy drop "
                            + "allowed against the promoted (CURRENT) model, measured on the same test set (default: ${DEFAULT-VALUE}).")
    double maxRegression;

    @Option(
            names = "--init-from",
            paramLabel = "MODEL",
            description = "Warm start from 'current', a run id of the "
                    + "store, or a model.zip URI instead of random weights (default: random).")
    String initFrom;

    @Option(
            names = "--keep-runs",
            paramLabel = "N",
            description = "After a successful run keep the newest N runs "
                    + "(never deleting CURRENT); 0 keeps all (default: ${DEFAULT-VALUE}).")
    int keepRuns;

    @Option(
            names = "--evaluate-each-epoch",
            description = "Also measure test accuracy after every epoch: logged and "
                    + "recorded in metrics.json (default: ${DEFAULT-VALUE}).",
            fallbackValue = "true",
            arity = "0..1")
    boolean evaluateEachEpoch;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file of option defaults (keys: option "
                    + "names without dashes), on top of the bundled conf/sparklstm.properties.")
    Path configFile;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    private final SparkContexts contexts;
    private final Clock clock;

    Main(SparkContexts contexts, Clock clock) {
        this.contexts = contexts;
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(execute(args, SparkContexts.perRun(), Clock.systemUTC()));
    }

    /** Runs the command and returns its exit code; never calls {@link System#exit}. */
    public static int execute(String[] args, SparkContexts contexts, Clock clock) {
        PropertiesDefaults defaults;
        try {
            defaults = PropertiesDefaults.bundled();
            Path file = configFileIn(args, defaults);
            if (file != null) {
                defaults = defaults.overlay(file);
            }
        } catch (BadInputException e) {
            return badInput(new PrintWriter(System.err, true), e.getMessage());
        }
        CommandLine cli = new CommandLine(new Main(contexts, clock))
                .setDefaultValueProvider(defaults)
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(
                        (e, args2) -> badInput(e.getCommandLine().getErr(), e.getMessage()))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof BadInputException) {
                        return badInput(cmd.getErr(), e.getMessage());
                    }
                    log.error("sparklstm failed", e);
                    cmd.getErr().println("sparklstm: failed: " + e);
                    return EXIT_FAILURE;
                });
        return cli.execute(args);
    }

    /** A first, lenient parse that only looks for {@code --config}; the real parse reports any errors. */
    private static Path configFileIn(String[] args, PropertiesDefaults defaults) {
        Main probe = new Main(null, null);
        try {
            new CommandLine(probe)
                    .setDefaultValueProvider(defaults)
                    .setUnmatchedArgumentsAllowed(true)
                    .parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return null;
        }
        return probe.configFile;
    }

    private static int badInput(PrintWriter err, String message) {
        err.println("sparklstm: " + message + " (see --help)");
        return EXIT_BAD_INPUT;
    }

    /** The validated configuration of the parsed options. */
    JobConfig config() {
        return new JobConfig(
                data,
                output,
                runId != null ? runId : JobConfig.timestampRunId(clock),
                epochs,
                batchSize,
                averagingFrequency,
                workers,
                prefetchBatches,
                seed,
                learningRate,
                lrDecay,
                dropout,
                augmentShift,
                lstmUnits,
                lstmImpl,
                trainLimit,
                testLimit,
                overwrite,
                minAccuracy,
                maxRegression,
                initFrom,
                keepRuns,
                evaluateEachEpoch);
    }

    /**
     * The configuration that {@code args} would run with (bundled defaults, then {@code args}), without running
     * anything; for tools and tests that drive {@link TrainingJob} directly.
     */
    public static JobConfig parse(String... args) {
        Main main = new Main(null, Clock.systemUTC());
        try {
            new CommandLine(main)
                    .setDefaultValueProvider(PropertiesDefaults.bundled())
                    .setOverwrittenOptionsAllowed(true)
                    .parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new BadInputException(e.getMessage());
        }
        return main.config();
    }

    @Override
    public Integer call() throws Exception {
        JobConfig config = config();
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
            return result.promoted() ? EXIT_OK : EXIT_NOT_PROMOTED;
        } finally {
            contexts.close(sc);
        }
    }
}
