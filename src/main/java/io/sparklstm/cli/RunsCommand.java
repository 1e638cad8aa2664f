package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.ExitCode;
import io.sparklstm.report.StoreIndex;
import io.sparklstm.store.RunHistory;
import io.sparklstm.store.RunStore;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code sparklstm runs --store URI}: the store's published runs as a table, newest first: id, finished at, test
 * accuracy, whether the gate promoted it (and which is CURRENT), the gate's reason, duration and epochs. Reads the
 * store only; starts no Spark job.
 */
final class RunsCommand {

    static final String NAME = "runs";

    private static final String USAGE = "usage: sparklstm runs --store URI";

    private RunsCommand() {}

    static int run(String[] args, Configuration hadoop, PrintStream out) throws Exception {
        String store = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--store", "--output" -> {
                    if (i + 1 >= args.length) {
                        throw new BadInputException("runs: " + args[i] + " needs a value; " + USAGE);
                    }
                    store = args[++i];
                }
                case "-h", "--help" -> {
                    out.println(USAGE + "\nLists the store's published runs, newest first.");
                    return ExitCode.OK.code();
                }
                default -> throw new BadInputException("runs: unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        if (store == null) {
            throw new BadInputException("runs: --store is required; " + USAGE);
        }
        Path root = new Path(store);
        if (!root.getFileSystem(hadoop).exists(root)) {
            throw new BadInputException("runs: --store " + store + " does not exist");
        }
        List<RunHistory.Entry> runs = RunHistory.of(RunStore.at(store, hadoop));
        out.print(table(runs));
        return ExitCode.OK.code();
    }

    static String table(List<RunHistory.Entry> runs) {
        StringBuilder table = new StringBuilder();
        String format = "%-28s %-20s %8s %-12s %8s %6s  %s%n";
        table.append(String.format(
                Locale.ROOT, format, "RUN", "FINISHED (UTC)", "ACCURACY", "PROMOTED", "DURATION", "EPOCHS", "GATE"));
        for (RunHistory.Entry run : runs) {
            table.append(String.format(
                    Locale.ROOT,
                    format,
                    run.runId(),
                    run.finishedAt() == null ? "-" : StoreIndex.shortTime(run.finishedAt()),
                    Double.isNaN(run.accuracy()) ? "-" : String.format(Locale.ROOT, "%.4f", run.accuracy()),
                    run.current() ? "yes, CURRENT" : run.gatePassed() ? "yes" : "no",
                    Double.isNaN(run.seconds()) ? "-" : String.format(Locale.ROOT, "%.0f s", run.seconds()),
                    run.epochs(),
                    run.gateReason()));
        }
        if (runs.isEmpty()) {
            table.append("(no published runs)\n");
        }
        return table.toString();
    }
}
