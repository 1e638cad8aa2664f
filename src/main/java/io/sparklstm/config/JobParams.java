package io.sparklstm.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every option of the training job, each declared once. The upper bounds are values the job can really run; the one
 * product of options that could still exceed an {@code int} downstream, examples per averaging round
 * ({@code workers x averaging-frequency x batch-size}), is refused when it does ({@link JobConfig.Builder#build}).
 *
 * <p>To add an option: declare it here (and add it to {@link #ALL}), then read it where it is used with
 * {@link JobConfig#get}. The command line, the properties files, validation, {@code config.json}, the resume
 * fingerprint and the docs follow; {@code OptionsDocTest} tells you to regenerate {@code docs/options.md} and
 * {@code conf/sparklstm.properties} ({@code java -cp target/classes io.sparklstm.config.OptionsDoc}).
 */
public final class JobParams {

    /** Run ids become directory names on any FileSystem: a conservative portable alphabet, no leading dot. */
    private static final Pattern RUN_ID_PATTERN = Pattern.compile("(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final Pattern ANY = Pattern.compile("(?s).+");

    public static final Param<String> DATA = Param.text(
            "data",
            "URI",
            "data/mnist",
            ANY,
            "a directory path or URI",
            "Directory with train-/t10k- images-idx3-ubyte and labels-idx1-ubyte files, raw or .gz, on any Hadoop"
                    + " FileSystem.");

    public static final Param<String> OUTPUT = Param.text(
            "output",
            "URI",
            "store",
            ANY,
            "a directory path or URI (the model store)",
            "Model store; the run is written to <output>/runs/<run-id>/. Also --store, as the score command names it.");

    public static final Param<String> RUN_ID = Param.text(
            "run-id",
            "ID",
            null,
            RUN_ID_PATTERN,
            "1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'",
            "Name of the run directory; rerunning an id resumes its last checkpoint (default: the UTC start time,"
                    + " e.g. 20261129T020304Z).");

    public static final Param<Integer> EPOCHS = Param.integer(
                    "epochs", "N", 1, 1000, 10, "Passes over the training set.")
            .note("The training defaults (epochs, learning-rate, lr-decay, dropout, augment-shift, ema-epochs) were"
                    + " chosen together from full-MNIST runs on 2 cores (docs/performance.md): with them the network"
                    + " passed 99.0 % test accuracy after epoch 4 and ended at 99.30-99.36 % after epoch 10 (three"
                    + " seeds, five runs).");

    public static final Param<Integer> BATCH_SIZE = Param.integer(
                    "batch-size", "N", 1, 8192, 64, "Minibatch size of each worker.")
            .shapesWeights();

    public static final Param<Integer> AVERAGING_FREQUENCY = Param.integer(
                    "averaging-frequency",
                    "N",
                    1,
                    10_000,
                    40,
                    "Minibatches each worker fits between two parameter averagings.")
            .shapesWeights()
            .note("Each round costs a Spark job, a broadcast and a network rebuild per task. 40 trained 10-15 % faster"
                    + " than 20 on 2 cores to the same final accuracy (three seeds: 99.24-99.28 %) and 99.0 % in the"
                    + " same training time (an epoch later); 20 was 1.3-1.7x faster than 5 (docs/performance.md).");

    public static final Param<Integer> WORKERS = Param.integer(
                    "workers", "N", 0, 4096, 0, "Data-parallel workers; 0 = Spark's default parallelism.")
            .shapesWeights();

    public static final Param<Integer> PREFETCH_BATCHES = Param.integer(
                    "prefetch-batches", "N", 0, 64, 0, "Minibatches each worker loads ahead of the one it fits.")
            .note("0 measured faster with one core per worker (a prefetch thread competes with the fitting thread"
                    + " for the same core); raise it when reading from slow remote storage.");

    public static final Param<Long> SEED = Param.anyLong(
                    "seed", "N", 12345L, "Seed of weight initialisation, data shuffling, dropout and augmentation.")
            .shapesWeights();

    public static final Param<Double> LEARNING_RATE = Param.number(
                    "learning-rate", "X", 0, true, 10, 0.004, "Adam's learning rate in epoch 1.")
            .shapesWeights();

    public static final Param<Double> LR_DECAY = Param.number(
                    "lr-decay",
                    "X",
                    0,
                    true,
                    1,
                    0.75,
                    "Multiply the learning rate by X after every epoch; 1 keeps it constant.")
            .shapesWeights()
            .note("0.75 ended 0.08-0.14 points above 0.65 on each of three seeds of the defaults (99.31-99.36 % against"
                    + " 99.17-99.27 %, 2 workers, full MNIST) and passed 99.0 % after the same epoch, the fourth"
                    + " (docs/performance.md).");

    public static final Param<LrSchedule> LR_SCHEDULE = Param.choice(
                    "lr-schedule",
                    "KIND",
                    LrSchedule.class,
                    LrSchedule.EXPONENTIAL,
                    "exponential: the rate times --lr-decay after every epoch; cosine: a linear warm-up over"
                            + " --warmup-epochs to --learning-rate, then a cosine decay to 1/100 of it by the last"
                            + " epoch's end, updated every averaging round.")
            .shapesWeights();

    public static final Param<Double> WARMUP_EPOCHS = Param.number(
                    "warmup-epochs",
                    "X",
                    0,
                    false,
                    5,
                    0.5,
                    "Epochs (fractions allowed) of linear learning-rate warm-up from 1/10 of --learning-rate; with"
                            + " --lr-schedule cosine only.")
            .shapesWeights();

    public static final Param<Double> EMA_EPOCHS = Param.number(
                    "ema-epochs",
                    "X",
                    0,
                    false,
                    5,
                    0.2,
                    "Evaluate and publish an exponential moving average of the weights over about X epochs of"
                            + " averaging rounds (training continues from the latest weights); 0 = the last round's"
                            + " weights.")
            .shapesWeights()
            .note("0.2 measured +0.1 to +0.7 points of test accuracy after each of epochs 1-4 on full MNIST, and"
                    + " 99.0 % one epoch sooner (docs/performance.md).");

    public static final Param<Double> DROPOUT = Param.number(
                    "dropout",
                    "P",
                    0,
                    false,
                    0.95,
                    0.2,
                    "Dropout probability on the inputs of LSTM layers 2 and 3 and of the dense layer while training;"
                            + " 0 = none.")
            .shapesWeights();

    public static final Param<Integer> AUGMENT_SHIFT = Param.integer(
                    "augment-shift",
                    "PX",
                    0,
                    8,
                    2,
                    "Move each training image by a random offset of up to PX pixels per axis, anew every epoch;"
                            + " 0 = off.")
            .shapesWeights();

    public static final Param<Integer> LSTM_UNITS = Param.integer(
                    "lstm-units", "N", 1, 4096, 128, "Units of each of the three LSTM layers.")
            .shapesWeights();

    public static final Param<LstmImplementation> LSTM_IMPL = Param.choice(
                    "lstm-impl",
                    "IMPL",
                    LstmImplementation.class,
                    LstmImplementation.FAST,
                    "LSTM layer implementation: fast (the project's FastLSTM, same math and parameters) or stock"
                            + " (DL4J's LSTM).")
            .shapesWeights();

    public static final Param<GemmMode> GEMM = Param.choice(
            "gemm",
            "MODE",
            GemmMode.class,
            GemmMode.AUTO,
            "FastLSTM's matrix products: auto (BF16 products with FP32 accumulation and FP32 weights on CPUs"
                    + " whose BF16 products oneDNN reports native; elsewhere as fp32; on a 2-core Zen 5 BF16 trained"
                    + " about 1.25 times as fast and ended at 99.16-99.32 % over four seeds against FP32's"
                    + " 99.22-99.27 %), fp32 (per shape oneDNN, or OpenBLAS where timed over 15 % faster), openblas,"
                    + " onednn, or bf16 (forced). fp32, and auto without native BF16, can decide a close timing"
                    + " differently in another JVM: name an engine (onednn) for FP32 runs that must repeat bit for"
                    + " bit.");

    public static final Param<Integer> PROGRESS_INTERVAL = Param.integer(
            "progress-interval",
            "SECONDS",
            1,
            3600,
            10,
            "Least time between two progress lines while training (a line follows every averaging round once it"
                    + " has passed).");

    public static final Param<ProgressDisplay> PROGRESS = Param.choice(
            "progress",
            "MODE",
            ProgressDisplay.class,
            ProgressDisplay.AUTO,
            "Training progress as log lines (log), one updating bar on stderr (bar), or a bar when attached to a"
                    + " terminal and log lines otherwise (auto).");

    public static final Param<Integer> TRAIN_LIMIT = Param.integer(
                    "train-limit", "N", 0, 1_000_000_000, 0, "Use only the first N training examples; 0 = all.")
            .shapesWeights();

    public static final Param<Integer> TEST_LIMIT =
            Param.integer("test-limit", "N", 0, 1_000_000_000, 0, "Use only the first N test examples; 0 = all.");

    public static final Param<Boolean> OVERWRITE =
            Param.flag("overwrite", false, "Replace an existing run directory with the same id.");

    public static final Param<Boolean> EVALUATE_EACH_EPOCH = Param.flag(
            "evaluate-each-epoch",
            false,
            "Also measure test accuracy after every epoch: logged and recorded in metrics.json (costs one"
                    + " evaluation pass per epoch).");

    public static final Param<Double> MIN_ACCURACY = Param.number(
            "min-accuracy",
            "X",
            0,
            false,
            1,
            0.0,
            "Quality gate: promote only a model with at least this test accuracy (a fraction, e.g. 0.97).");

    public static final Param<Double> MAX_REGRESSION = Param.number(
            "max-regression",
            "X",
            0,
            false,
            1,
            0.01,
            "Quality gate: largest test-accuracy drop allowed against the promoted (CURRENT) model, measured on the"
                    + " same test set.");

    public static final Param<String> INIT_FROM = Param.text(
                    "init-from",
                    "MODEL",
                    null,
                    ANY,
                    "'current', a run id of the store or a model.zip URI",
                    "Warm start from 'current', a run id of the store, or a model.zip URI instead of random weights"
                            + " (default: random).")
            .shapesWeights();

    public static final Param<Integer> KEEP_RUNS = Param.integer(
            "keep-runs",
            "N",
            0,
            100_000,
            0,
            "After a successful run keep the newest N runs (never deleting CURRENT); 0 keeps all.");

    public static final Param<String> PERMISSIONS = Param.text(
            "permissions",
            "MODE",
            "750",
            Pattern.compile("[0-7]{3}"),
            "three octal digits, e.g. 750",
            "Mode of published run directories (files get it without execute bits, e.g. 640), less Hadoop's"
                    + " fs.permissions.umask-mode.");

    public static final Param<String> SUBMISSION_ID = Param.text(
            "submission-id",
            "ID",
            null,
            RUN_ID_PATTERN,
            "1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'",
            "Scheduler's id of this submission, recorded in the store's outcomes/<run-id>.json so that the scheduler"
                    + " (submit/nightly.sh) can tell this submission's outcome from an earlier one's (default: none).");

    public static final Param<String> CONFIG = Param.text(
                    "config",
                    "FILE",
                    null,
                    ANY,
                    "a properties file",
                    "Properties file of option defaults (keys: option names without dashes), on top of the bundled"
                            + " conf/sparklstm.properties.")
            .cliOnly();

    /** Every option, in the order of {@code --help}, the docs and the bundled properties file. */
    public static final List<Param<?>> ALL = List.of(
            DATA,
            OUTPUT,
            RUN_ID,
            EPOCHS,
            BATCH_SIZE,
            AVERAGING_FREQUENCY,
            WORKERS,
            PREFETCH_BATCHES,
            SEED,
            LEARNING_RATE,
            LR_DECAY,
            LR_SCHEDULE,
            WARMUP_EPOCHS,
            EMA_EPOCHS,
            DROPOUT,
            AUGMENT_SHIFT,
            LSTM_UNITS,
            LSTM_IMPL,
            GEMM,
            TRAIN_LIMIT,
            TEST_LIMIT,
            OVERWRITE,
            EVALUATE_EACH_EPOCH,
            PROGRESS_INTERVAL,
            PROGRESS,
            MIN_ACCURACY,
            MAX_REGRESSION,
            INIT_FROM,
            KEEP_RUNS,
            PERMISSIONS,
            SUBMISSION_ID,
            CONFIG);

    private JobParams() {}

    /** The option with this name (properties key, without dashes). */
    public static Optional<Param<?>> named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
