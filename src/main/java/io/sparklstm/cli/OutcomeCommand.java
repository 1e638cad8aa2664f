package io.sparklstm.cli;

import io.sparklstm.store.RunOutcomes;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a run's recorded outcome ({@link RunOutcomes}) for a scheduler: submit/nightly.sh runs it after the submit
 * script returns, with the application jar and Spark's jars (Hadoop's client) on the class path:
 *
 * <pre>
 *   java -cp sparklstm.jar:$SPARK_HOME/jars/* io.sparklstm.cli.OutcomeCommand \
 *        --output STORE --run-id ID [--submission-id ID]
 * </pre>
 *
 * It prints one line: {@code <exit code> <outcome> <message>} when the run id has an outcome recorded by the given
 * submission (by any, without {@code --submission-id}), else {@code none}; and exits 0. It exits 2 for a bad command
 * line and 1 when the store cannot be read, so that the caller falls back to the submit script's code.
 */
public final class OutcomeCommand {

    private OutcomeCommand() {}

    public static void main(String[] args) {
        String output = null;
        String runId = null;
        String submission = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--output" -> output = value;
                case "--run-id" -> runId = value;
                case "--submission-id" -> submission = value;
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (output == null || runId == null) {
            usage("--output and --run-id are required");
        }
        try {
            Optional<RunOutcomes.Outcome> outcome =
                    RunOutcomes.at(output, new Configuration()).read(runId);
            String expected = submission;
            System.out.println(outcome.filter(o -> expected == null || expected.equals(o.submissionId()))
                    .map(o -> o.exitCode() + " " + o.outcome() + " " + o.message())
                    .orElse("none"));
        } catch (Exception e) {
            System.err.println(Main.oneLine(
                    "sparklstm outcome: cannot read the outcome of run " + runId + " in " + output + ": " + e));
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("sparklstm outcome: " + problem
                + "; usage: OutcomeCommand --output STORE --run-id ID [--submission-id ID]");
        System.exit(2);
    }
}
