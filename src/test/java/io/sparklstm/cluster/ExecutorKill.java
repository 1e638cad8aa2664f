package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SIGKILL of an executor JVM in the middle of a training task, for the executor-loss tests on the standalone cluster
 * (ExecutorLossIT) and on YARN (YarnIT): the executor's own log (its stderr, as the Worker or NodeManager keeps it)
 * tells which tasks it started and ended, and the kill lands half-way through a task.
 */
final class ExecutorKill {

    private static final Pattern RUNNING = Pattern.compile("Running task (.+?) \\(TID (\\d+)\\)");
    private static final Pattern FINISHED = Pattern.compile("Finished task .*?\\(TID (\\d+)\\)");
    private static final Pattern FAILED = Pattern.compile("Exception in task .*?\\(TID (\\d+)\\)");

    private ExecutorKill() {}

    /** The executor JVM to kill, its executor id and its log. */
    record Victim(String executorId, ProcessHandle process, Path stderr) {}

    /** An executor's tasks, as its log shows them. */
    record Tasks(List<String> started, Set<String> ended, Map<String, String> names) {

        /** The newest task, if it started and has not ended. */
        Optional<String> running() {
            return started.isEmpty() || ended.contains(started.get(started.size() - 1))
                    ? Optional.empty()
                    : Optional.of(started.get(started.size() - 1));
        }
    }

    /**
     * Waits until the victim runs its {@code killAtTask}th task (counted from this call), or a later one, and kills
     * its JVM with SIGKILL half-way through that task: after half the time the shortest of its earlier tasks took, as
     * this loop saw them start and end. Killed earlier, the task would still be launching as far as the driver knows.
     * Returns the killed task's TID; fails when {@code jobAlive} turns false or {@code timeout} passes first.
     */
    static String killDuringTask(
            Victim victim, int killAtTask, Duration timeout, Supplier<Boolean> jobAlive, Callable<String> jobLogTail)
            throws Exception {
        Set<String> before = new HashSet<>(tasks(victim.stderr()).started()); // staging, maybe 1st training task
        Map<String, Long> startSeen = new HashMap<>();
        long shortest = Long.MAX_VALUE; // nanoseconds
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            long now = System.nanoTime();
            Tasks tasks = tasks(victim.stderr());
            for (String tid : tasks.started()) {
                if (before.contains(tid)) {
                    continue;
                }
                Long seen = startSeen.putIfAbsent(tid, now);
                if (tasks.ended().contains(tid)) {
                    if (seen != null) { // seen running in an earlier pass: a duration, give or take a pass
                        shortest = Math.min(shortest, now - seen);
                    }
                    before.add(tid);
                }
            }
            Optional<String> running = tasks.running();
            if (startSeen.size() >= killAtTask
                    && shortest != Long.MAX_VALUE
                    && running.isPresent()
                    && startSeen.containsKey(running.get())
                    && now - startSeen.get(running.get()) >= shortest / 2) {
                long into = System.nanoTime() - startSeen.get(running.get());
                victim.process().destroyForcibly();
                victim.process().onExit().get(30, TimeUnit.SECONDS);
                System.out.printf(
                        "executor kill: killed executor %s (pid %d) %d ms into TID %s (shortest earlier task %d ms)%n",
                        victim.executorId(),
                        victim.process().pid(),
                        into / 1_000_000,
                        running.get(),
                        shortest / 1_000_000);
                return running.get();
            }
            if (!jobAlive.get() || Instant.now().isAfter(deadline)) {
                fail("no task of the victim caught running (" + tasks + "); job log tail:\n" + jobLogTail.call());
            }
            Thread.sleep(5);
        }
    }

    /**
     * The job's options in the executor-loss tests: small enough for 2 cores, and with enough rounds that a kill lands
     * mid-epoch. 3,000 images are 47 minibatches of 64: with 2 workers and averaging every 2 minibatches, 12 rounds per
     * epoch, one task per executor and round. 64 LSTM units make a task last a few hundred milliseconds: with 32 a
     * task took about 130 ms, and a kill "half-way" sometimes came after the task had sent its result.
     */
    static List<String> jobArgs(String output, String runId) {
        return List.of(
                "--output",
                output,
                "--run-id",
                runId,
                "--train-limit",
                "3000",
                "--test-limit",
                "500",
                "--epochs",
                "2",
                "--workers",
                "2",
                "--averaging-frequency",
                "2",
                "--lstm-units",
                "64",
                "--min-accuracy",
                "0",
                "--max-regression",
                "1",
                // the runs compared here are separate JVMs: a named engine makes them repeat bit for bit (--gemm
                // auto times the engines in every JVM and may pick another at a close call)
                "--gemm",
                "onednn");
    }

    /** The largest absolute differences between two trained networks: parameters, and Adam's state. */
    record Differences(double parameters, double updater) {

        static Differences between(
                org.deeplearning4j.nn.multilayer.MultiLayerNetwork expected,
                org.deeplearning4j.nn.multilayer.MultiLayerNetwork actual) {
            assertTrue(expected.numParams() == actual.numParams(), "same number of parameters");
            return new Differences(
                    expected.params().sub(actual.params()).amaxNumber().doubleValue(),
                    expected.getUpdater()
                            .getStateViewArray()
                            .sub(actual.getUpdater().getStateViewArray())
                            .amaxNumber()
                            .doubleValue());
        }
    }

    /** The next attempt of a task named as in an executor's log: "3.0 in stage 8.0" is retried as "3.1 in stage 8.0". */
    static String retryOf(String task) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+) (in stage \\S+)").matcher(task);
        assertTrue(m.matches(), "task name " + task);
        return m.group(1) + "." + (Integer.parseInt(m.group(2)) + 1) + " " + m.group(3);
    }

    /** The TIDs of the tasks an executor's log shows started, in order, and of those that ended (or failed). */
    static Tasks tasks(Path stderr) throws IOException {
        List<String> started = new ArrayList<>();
        Set<String> ended = new HashSet<>();
        Map<String, String> names = new HashMap<>();
        for (String line : Files.readAllLines(stderr, StandardCharsets.ISO_8859_1)) {
            Matcher running = RUNNING.matcher(line);
            if (running.find()) {
                started.add(running.group(2));
                names.put(running.group(2), running.group(1));
                continue;
            }
            for (Pattern end : List.of(FINISHED, FAILED)) {
                Matcher m = end.matcher(line);
                if (m.find()) {
                    ended.add(m.group(1));
                }
            }
        }
        return new Tasks(started, ended, names);
    }
}
