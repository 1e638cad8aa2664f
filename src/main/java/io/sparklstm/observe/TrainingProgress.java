package io.sparklstm.observe;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of training, reported after every averaging round: how far (epoch e/E, round r/R, examples), how fast
 * (samples/s of this epoch), the running loss, and when the epoch and the run will end.
 *
 * <p>In a log (stderr not a terminal) a line goes out after a round when {@code interval} has passed since the last
 * one: at most one line per interval, and one after every round when rounds take longer than the interval.
 * Attached to a terminal it draws one updating progress bar instead (me.tongfei's progressbar) and logs nothing per
 * round; logs never get terminal control codes. The run's ETA adds the remaining epochs at the mean wall time of the
 * epochs done (evaluations included), or at this epoch's rate before the first has ended.
 */
public final class TrainingProgress implements AutoCloseable {

    /** How progress is shown. */
    public enum Mode {
        /** Log lines. */
        LOG,
        /** A progress bar on stderr. */
        BAR;

        /** {@link #BAR} when this process is attached to a terminal, else {@link #LOG}. */
        public static Mode auto() {
            return System.console() != null ? BAR : LOG;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(TrainingProgress.class);

    /** The log, where progress lines go in a job. */
    public static final Consumer<String> LOG_LINES = log::info;

    private final int epochs;
    private final long examplesPerEpoch;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Consumer<String> lines;
    private final ProgressBar bar;
    private final long runStarted;
    private final int firstEpoch;
    private long epochStarted;
    private long lastLine;
    private int epochsDone;

    /**
     * @param firstEpoch       the first epoch this attempt trains (a resumed run starts past 1)
     * @param epochs           epochs of the run
     * @param examplesPerEpoch training examples per epoch
     * @param interval         least time between two log lines
     * @param clock            nanoseconds, {@code System::nanoTime} but in tests
     * @param lines            where log lines go, the log but in tests
     */
    public TrainingProgress(
            int firstEpoch,
            int epochs,
            long examplesPerEpoch,
            Duration interval,
            Mode mode,
            LongSupplier clock,
            Consumer<String> lines) {
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
        this.examplesPerEpoch = examplesPerEpoch;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.lines = lines;
        this.runStarted = clock.getAsLong();
        this.lastLine = runStarted;
        this.bar = mode == Mode.BAR ? bar(firstEpoch, epochs, examplesPerEpoch) : null;
        LiveMetrics.get().trainingStarted(epochs);
    }

    private static ProgressBar bar(int firstEpoch, int epochs, long examplesPerEpoch) {
        return new ProgressBarBuilder()
                .setTaskName("training")
                .setInitialMax(examplesPerEpoch * epochs)
                .startsFrom(examplesPerEpoch * (firstEpoch - 1), Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" ex", 1)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500)
                .build();
    }

    public void epochStarted(int epoch) {
        epochStarted = clock.getAsLong();
    }

    /**
     * An averaging round ended.
     *
     * @param examplesDone examples of this epoch fitted so far
     * @param roundExamples examples fitted in this round
     * @param loss          mean loss of the epoch so far
     */
    public void roundFinished(int epoch, int round, int rounds, long examplesDone, long roundExamples, double loss) {
        long now = clock.getAsLong();
        double seconds = Math.max(1e-9, (now - epochStarted) / 1e9);
        double rate = examplesDone / seconds;
        LiveMetrics.get().roundFinished(epoch, round, rounds, roundExamples, loss, rate);
        double epochEta = (examplesPerEpoch - examplesDone) / rate;
        double perEpoch = epochsDone > 0 ? (epochStarted - runStarted) / 1e9 / epochsDone : examplesPerEpoch / rate;
        double runEta = epochEta + (epochs - epoch) * perEpoch;
        if (bar != null) {
            bar.stepTo(examplesPerEpoch * (epoch - 1) + examplesDone);
            bar.setExtraMessage(String.format(
                    Locale.ROOT, " epoch %d/%d, round %d/%d, loss %.4f", epoch, epochs, round, rounds, loss));
            return;
        }
        if (now - lastLine >= intervalNanos) {
            lastLine = now;
            lines.accept(String.format(
                    Locale.ROOT,
                    "Progress: epoch %d/%d, round %d/%d, %d/%d examples, %.0f samples/s, loss %.4f, ETA epoch %s,"
                            + " run %s",
                    epoch,
                    epochs,
                    round,
                    rounds,
                    examplesDone,
                    examplesPerEpoch,
                    rate,
                    loss,
                    clockTime(epochEta),
                    clockTime(runEta)));
        }
    }

    /** An epoch ended (its evaluation, if any, included). */
    public void epochFinished(int epoch) {
        epochsDone = epoch - firstEpoch + 1;
    }

    /** {@code h:mm:ss} or {@code m:ss}. */
    static String clockTime(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
