package io.sparklstm.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.JobRuns;
import io.sparklstm.TestSpark;
import io.sparklstm.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of real runs on the shared Spark context: every Spark job a run starts carries the run's job
 * tag and a description naming its stage (read back through a SparkListener), the tag cancels the run, each run
 * directory holds report.html, the store's index.html lists the runs, and {@code runs} prints them.
 */
class RunObservabilityTest {

    @TempDir
    Path tmp;

    /** A started Spark job's description and tags. */
    record Job(String description, List<String> tags) {}

    static final class JobRecorder extends SparkListener {
        final List<Job> jobs = new CopyOnWriteArrayList<>();

        @Override
        public void onJobStart(SparkListenerJobStart event) {
            String tags = event.properties().getProperty("spark.job.tags", "");
            jobs.add(new Job(
                    event.properties().getProperty("spark.job.description"),
                    tags.isEmpty() ? List.of() : List.of(tags.split(","))));
        }
    }

    @Test
    void runsAreLabelledReportedIndexedAndListed() throws Exception {
        SparkContext sc = TestSpark.context().sc();
        Path store = tmp.resolve("store");
        JobRecorder recorder = new JobRecorder();
        sc.addSparkListener(recorder);
        int first;
        int second;
        try {
            first = JobRuns.run(JobRuns.smallRunArgs(store, "obs-1", "--epochs", "2", "--evaluate-each-epoch"));
            second = JobRuns.run(JobRuns.smallRunArgs(store, "obs-2", "--min-accuracy", "0.99"));
            sc.listenerBus().waitUntilEmpty();
        } finally {
            sc.removeSparkListener(recorder);
        }
        assertEquals(0, first);
        assertEquals(3, second, "the gate refuses obs-2 (accuracy below 0.99)");

        // Every job belongs to exactly one run, by tag, and says what it does.
        List<String> one = descriptions(recorder, "obs-1");
        List<String> two = descriptions(recorder, "obs-2");
        assertEquals(recorder.jobs.size(), one.size() + two.size(), "every job carries one run's tag");
        assertTrue(one.contains("stage train minibatches"), one.toString());
        assertTrue(one.contains("stage test minibatches"), one.toString());
        assertTrue(
                one.stream()
                        .anyMatch(Pattern.compile("epoch 1/2 · round 1/\\d+").asMatchPredicate()),
                one.toString());
        assertTrue(one.stream()
                .anyMatch(Pattern.compile("epoch 2/2 · round \\d+/\\d+").asMatchPredicate()));
        assertTrue(one.contains("evaluate run obs-1 after epoch 2/2 on 256 test examples"), one.toString());
        assertTrue(two.contains("evaluate run obs-2 on 256 test examples"), two.toString());
        assertTrue(two.contains("evaluate CURRENT obs-1 on 256 test examples"), two.toString());
        assertFalse(one.contains(null), "no job without a description: " + one);

        // report.html, published with the run: the numbers of metrics.json, the gate, images, nothing remote.
        Path runDir = store.resolve("runs").resolve("obs-1");
        double accuracy = new ObjectMapper()
                .readTree(runDir.resolve("metrics.json").toFile())
                .path("accuracy")
                .asDouble();
        String report = Files.readString(runDir.resolve("report.html"));
        assertTrue(report.contains(String.format(Locale.ROOT, "%.2f %%", 100 * accuracy)), "accuracy in the report");
        assertTrue(report.contains("promoted"));
        assertTrue(report.contains("Confusion matrix") || report.contains("confusion matrix"));
        assertTrue(report.contains("<figcaption>"), "misclassified images");
        assertFalse(report.contains("src=\"http"), "no network resources");
        String refused = Files.readString(store.resolve("runs").resolve("obs-2").resolve("report.html"));
        assertTrue(refused.contains("not promoted") && refused.contains("CURRENT obs-1"), "the gate against CURRENT");

        // The store's index links both reports.
        String index = Files.readString(store.resolve("index.html"));
        assertTrue(index.contains("href=\"runs/obs-1/report.html\""));
        assertTrue(index.contains("href=\"runs/obs-2/report.html\""));

        // runs: newest first, CURRENT marked.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = Main.execute(
                    new String[] {"runs", "--store", store.toString()}, TestSpark.sharedContexts(), Clock.systemUTC());
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, code);
        String[] rows = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, rows.length, String.join("\n", rows));
        assertTrue(rows[1].startsWith("obs-2 ") && rows[1].contains(" no "), rows[1]);
        assertTrue(rows[2].startsWith("obs-1 ") && rows[2].contains("yes, CURRENT"), rows[2]);
        assertTrue(rows[2].contains(String.format(Locale.ROOT, "%.4f", accuracy)), rows[2]);
    }

    @Test
    void theRunsTagCancelsItsJobs() throws Exception {
        SparkContext sc = TestSpark.context().sc();
        JobRecorder recorder = new JobRecorder();
        sc.addSparkListener(recorder);
        try {
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(
                    () -> JobRuns.run(JobRuns.smallRunArgs(tmp.resolve("store"), "cancelled", "--epochs", "50")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (recorder.jobs.stream()
                    .noneMatch(j -> String.valueOf(j.description()).startsWith("epoch 2/50"))) {
                assertTrue(System.nanoTime() < deadline, "training never reached epoch 2");
                Thread.sleep(50);
            }
            // Spark cancels the tag's active jobs only: a call that lands between two averaging rounds finds none,
            // and the listener hears of a job's start after the fact. So the operator's way: call until the run ends.
            long cancelDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!run.isDone()) {
                assertTrue(System.nanoTime() < cancelDeadline, "the run outlived a minute of cancelling");
                sc.cancelJobsWithTag(JobLabels.runTag("cancelled"));
                Thread.sleep(20);
            }
            int code = run.get();
            assertNotEquals(0, code, "a cancelled run fails");
            assertFalse(Files.exists(tmp.resolve("store").resolve("runs").resolve("cancelled")), "nothing published");
        } finally {
            sc.removeSparkListener(recorder);
        }
    }

    @Test
    void runsRefusesABadCommandLineWithExit2() {
        for (String[] args : new String[][] {
            {"runs"},
            {"runs", "--store"},
            {"runs", "--store", tmp.resolve("missing").toString()},
            {"runs", "--bogus"}
        }) {
            assertEquals(2, Main.execute(args, TestSpark.sharedContexts(), Clock.systemUTC()), String.join(" ", args));
        }
    }

    private static List<String> descriptions(JobRecorder recorder, String runId) {
        List<String> descriptions = new ArrayList<>();
        for (Job job : recorder.jobs) {
            if (job.tags().equals(List.of(JobLabels.runTag(runId)))) {
                descriptions.add(job.description());
            }
        }
        return descriptions;
    }
}
