package io.sparklstm.train;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkEnv;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Round results handed from a task to the driver inside one JVM (Spark local mode), instead of serialised.
 *
 * <p>Why: Spark serialises every task result, even in local mode, where task and driver share the JVM. A round's
 * result carries the worker's parameters and Adam state (4 MB for the seed network); it was written with Kryo, wrapped
 * by Spark's Java serialisation, then read back on the driver into freshly allocated arrays: about 20 ms of every
 * averaging round of a Spark local[1] run, outside the task's training time. Here the task leaves a copy of its result
 * in this class and returns its key (a {@code Long}); the driver takes the copy by that key ({@link RoundSum}).</p>
 *
 * <p>The copy keeps the serialised path's ownership: the driver adds up arrays that no worker network uses (the
 * result's own arrays are the worker's live parameters, which {@link ReusingTrainingWorker} keeps for the next round).
 * A key is only used in the JVM that made it: {@link #deposit} hands back the result itself when called elsewhere.
 * The driver opens a round before its tasks start and closes it when the round's job is over, successful or not:
 * results nobody took are dropped then, and a task still running after its job failed leaves nothing behind.</p>
 */
final class LocalResults {

    private static long nextKey = 1; // guarded by LocalResults.class, as are nextRound and the two collections

    private static long nextRound = 1;

    private static final Set<Long> OPEN_ROUNDS = new HashSet<>();

    private static final Map<Long, Deposit> DEPOSITS = new HashMap<>();

    private record Deposit(long round, ParameterAveragingTrainingResult result) {}

    private LocalResults() {}

    /** Opens a new round for deposits, before its tasks start, and returns its number (never 0). */
    static synchronized long open() {
        long round = nextRound++;
        OPEN_ROUNDS.add(round);
        return round;
    }

    /**
     * What a task of round {@code round} returns for {@code result}: a key to a copy of it when the task runs in the
     * driver's JVM, else the result itself. Results without parameters (a task without minibatches) go as they are;
     * a task that ends after its round was closed (its job failed or was cancelled) returns null and leaves nothing.
     */
    static Object deposit(long round, ParameterAveragingTrainingResult result) {
        if (result == null || result.getParameters() == null || !inDriverJvm()) {
            return result;
        }
        ParameterAveragingTrainingResult copy = copy(result);
        synchronized (LocalResults.class) {
            if (!OPEN_ROUNDS.contains(round)) {
                return null;
            }
            long key = nextKey++;
            DEPOSITS.put(key, new Deposit(round, copy));
            return key;
        }
    }

    /** The result a task returned: deposited ({@code Long} key) or serialised (the result itself). */
    static ParameterAveragingTrainingResult take(Object returned) {
        if (!(returned instanceof Long key)) {
            return (ParameterAveragingTrainingResult) returned;
        }
        Deposit deposit;
        synchronized (LocalResults.class) {
            deposit = DEPOSITS.remove(key);
        }
        if (deposit == null) {
            throw new IllegalStateException("Round result " + key + " is not in this JVM: taken twice, or returned by"
                    + " a task outside the driver's JVM");
        }
        return deposit.result();
    }

    /** Closes {@code round}: drops its results that nobody took, and refuses later ones. */
    static synchronized void close(long round) {
        OPEN_ROUNDS.remove(round);
        DEPOSITS.values().removeIf(d -> d.round() == round);
    }

    /** How many results tasks of this JVM have handed over so far. */
    static synchronized long deposited() {
        return nextKey - 1;
    }

    /** How many results wait to be taken. */
    static synchronized int waiting() {
        return DEPOSITS.size();
    }

    /** Spark's {@code SparkContext.DRIVER_IDENTIFIER} (private to Spark): the executor id of local mode's tasks. */
    private static final String DRIVER = "driver";

    private static boolean inDriverJvm() {
        SparkEnv env = SparkEnv.get();
        return env != null && DRIVER.equals(env.executorId());
    }

    /** A copy whose arrays live outside any workspace, as arrays read back from a serialised result would. */
    private static ParameterAveragingTrainingResult copy(ParameterAveragingTrainingResult r) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return new ParameterAveragingTrainingResult(
                    r.getParameters().dup(),
                    r.getUpdaterState() == null ? null : r.getUpdaterState().dup(),
                    r.getScore(),
                    r.getSparkTrainingStats(),
                    r.getListenerMetaData(),
                    r.getListenerStaticInfo(),
                    r.getListenerUpdates());
        }
    }
}
