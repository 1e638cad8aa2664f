package io.sparklstm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Derived figures and the table of {@link SuiteBench}, computed from its raw results (child outputs, listener stats,
 * /proc samples). Everything here is arithmetic on recorded numbers; see bench/README.md for the definitions.
 */
final class Report {

    /** Off-heap growth tolerated as noise: non-heap RSS slope per epoch. */
    static final double GROWTH_TOLERANCE_BYTES = 8 * 1024 * 1024;

    private final JsonNode r;
    private final Map<String, Object> derived = new LinkedHashMap<>();
    private final List<String[]> rows = new ArrayList<>();
    private final StringBuilder notes = new StringBuilder();

    Report(Map<String, Object> results) {
        this.r = BenchSupport.JSON.valueToTree(results);
        results.put("derived", derived);
    }

    String table() {
        JsonNode env = r.path("environment");
        boolean quick = "quick".equals(env.path("mode").asText());
        String ct = env.path("openblasCoretype").asText();

        // (a), (b)
        double a = r.at("/ab/result/trainSamplesPerSecond/stock/best").asDouble(Double.NaN);
        double b = r.at("/ab/result/trainSamplesPerSecond/fast/best").asDouble(Double.NaN);
        double aMed = r.at("/ab/result/trainSamplesPerSecond/stock/median").asDouble(Double.NaN);
        double bMed = r.at("/ab/result/trainSamplesPerSecond/fast/median").asDouble(Double.NaN);
        row("(a) stock LSTM, 1 JVM, 1 thread, batch 64", rate(a) + med(aMed), "", "");
        row("(b) FastLSTM (project path), same", rate(b) + med(bMed), "", "");
        double speedup = b / a;
        derived.put("speedupBOverA", speedup);
        row("    speed-up (b)/(a)", fmt("%.2fx", speedup), ">= 6x", status(speedup >= 6));
        String core = r.at("/ab/openblasCore").asText("?");
        notes.append(String.format(Locale.ROOT, "  OpenBLAS kernels reported for the table's runs: %s (OPENBLAS_CORETYPE=%s)%n",
                core, ct));

        // (c), (d)
        Job c = new Job(r.path("c_local1"));
        Job d = new Job(r.path("d_local2"));
        row("(c) job, Spark local[1] (" + c.describe() + ")", rate(c.rate), "", c.okText());
        row("(d) job, Spark local[2] (" + d.describe() + ")", rate(d.rate), ">= 1500", d.ok ? status(d.rate >= 1500) : "ERROR");
        double eff = d.rate / (2 * c.rate);
        derived.put("parallelEfficiency", eff);
        row("    parallel efficiency (d)/(2x(c))", pct(eff), ">= 85%", status(eff >= 0.85));
        row("    (d) / (a): 2 cores vs stock 1 thread", fmt("%.2fx", d.rate / a), ">= 6x", status(d.rate / a >= 6));
        row("    wall outside worker tasks, (c) / (d)", pct(c.outsideTasks) + " / " + pct(d.outsideTasks), "", "");
        row("    worker tasks' CPU time / run time, (c) / (d)", pct(c.taskCpuShare) + " / " + pct(d.taskCpuShare), "~100%", "");
        row("    wall outside fitting at rate (b), (c) / (d)",
                pct(1 - c.rate / b) + " / " + pct(1 - d.rate / (d.workers * b)), "", "");
        row("    seconds per epoch (d" + (quick ? ", slice" : ", full MNIST") + ")", fmt("%.1f s", d.epochSeconds), "", "");
        row("    test accuracy (d" + (quick ? ", slice: not the goal" : ", job defaults") + ")",
                fmt("%.4f", d.accuracy) + fmt(" after %d epochs, %.0f s", d.epochs, d.trainingSeconds),
                ">= 0.9900", quick ? "n/a" : status(d.accuracy >= 0.99));
        row("    evaluation throughput (d), Spark", rate(d.evalRate) + " test", "", "");
        double eval1 = r.at("/ab/result/evalSamplesPerSecond/fast").asDouble(Double.NaN);
        row("    evaluation throughput, FastLSTM 1 thread b256", rate(eval1) + " test", "", "");
        derived.put("c", c.toMap());
        derived.put("d", d.toMap());

        // (e)
        JsonNode e = r.path("e_cluster");
        if (e.has("status")) {
            row("(e) standalone, 2 executors x 1 core", e.path("status").asText(), "", "");
        } else if (!e.isMissingNode()) {
            Job ej = new Job(e);
            row("(e) standalone, 2 executors x 1 core (" + ej.describe() + ")", rate(ej.rate), "", ej.okText());
            row("    efficiency (e)/(2x(c))", pct(ej.rate / (2 * c.rate)), "", "");
            row("    executor peak RSS (max of 2)", gib(ej.peakExecutor), "<= 2 GiB",
                    ej.peakExecutor > 0 ? status(ej.peakExecutor <= 2.0 * SuiteBench.GIB_BYTES) : "n/a");
            row("    driver peak RSS", gib(ej.peakDriver), "", "");
            row("    executor RSS growth per epoch", mibSigned(ej.executorRssSlope) + "/epoch", "none",
                    Double.isNaN(ej.executorRssSlope) ? "n/a" : status(ej.executorRssSlope <= GROWTH_TOLERANCE_BYTES));
            derived.put("e", ej.toMap());
        }

        // memory of the local runs (the off-heap figure needs >= 3 epochs: epoch 1 is warm-up)
        row("peak RSS, local[2] JVM (driver = executors)", gib(d.peakDriver), "<= 2 GiB", d.peakDriver > 0
                ? status(d.peakDriver <= 2.0 * SuiteBench.GIB_BYTES) + (e.has("status") || e.isMissingNode() ? "" : " (info)")
                : "n/a");
        row("peak RSS, local[1] JVM", gib(c.peakDriver), "", "");

        // convergence
        JsonNode f = r.path("f_converge");
        if (!f.isMissingNode()) {
            JsonNode epochs = f.at("/result/epochs");
            String t98 = reach(epochs, 0.98), t99 = reach(epochs, 0.99);
            row("(f) to 98% test accuracy, local[2] defaults", t98, "", "");
            row("(f) to 99% test accuracy", t99, "", "");
            double best = 0;
            for (JsonNode ep : epochs) {
                best = Math.max(best, ep.path("accuracy").asDouble());
            }
            row("    best accuracy / epochs run", fmt("%.4f / %d", best, epochs.size()), "", "");
            double evalRate = median(epochs, "evalSamplesPerSecond");
            row("    evaluation throughput per epoch (median)", rate(evalRate) + " test", "", "");
            // Off-heap: RSS minus committed heap at each epoch end, over the second half of the epochs (the first
            // epochs also touch newly committed heap pages and fill caches); ND4J's own allocation counter if known.
            List<Double> x = new ArrayList<>(), nonHeap = new ArrayList<>(), rss = new ArrayList<>(), nd4j = new ArrayList<>();
            int n = epochs.size(), from = Math.max(2, (n + 1) / 2);
            StringBuilder rssSeries = new StringBuilder();
            for (JsonNode ep : epochs) {
                JsonNode m = ep.path("memory");
                int no = ep.path("epoch").asInt();
                if (no == 1 || no == n || no == from) {
                    rssSeries.append(rssSeries.length() == 0 ? "" : ", ").append(fmt("e%d %.2f", no,
                            m.path("rssBytes").asDouble() / SuiteBench.GIB_BYTES));
                }
                if (no < from) {
                    continue;
                }
                x.add((double) no);
                rss.add(m.path("rssBytes").asDouble());
                nonHeap.add(m.path("rssBytes").asDouble() - m.path("heapCommittedBytes").asDouble());
                nd4j.add(m.path("nd4jTrackedBytes").asDouble(Double.NaN));
            }
            double sNonHeap = BenchSupport.slope(x, nonHeap), sRss = BenchSupport.slope(x, rss);
            double sNd4j = BenchSupport.slope(x, nd4j);
            derived.put("offHeapSlopeBytesPerEpoch", Map.of("nonHeapRss", sNonHeap, "rss", sRss, "nd4jTracked", sNd4j,
                    "fromEpoch", from, "toEpoch", n));
            boolean enough = n >= 3;
            row("    RSS of the local[2] JVM at epoch ends", rssSeries + " GiB", "", "");
            row("    off-heap growth per epoch (RSS - heap)", enough ? mibSigned(sNonHeap) + "/epoch"
                    + fmt(" (RSS %s, ND4J-tracked %s; epochs %d-%d)", mibSigned(sRss), mibSigned(sNd4j), from, n)
                    : "n/a (needs >= 3 epochs)", "none",
                    !enough || Double.isNaN(sNonHeap) ? "n/a" : status(sNonHeap <= GROWTH_TOLERANCE_BYTES));
            row("    peak RSS of the local[2] JVM", gib(peak(f, "driver")), "", "");
        }

        // OpenBLAS A/B
        if (r.has("ab_nocoretype")) {
            double a0 = r.at("/ab_nocoretype/result/trainSamplesPerSecond/stock/best").asDouble(Double.NaN);
            double b0 = r.at("/ab_nocoretype/result/trainSamplesPerSecond/fast/best").asDouble(Double.NaN);
            Job c0 = new Job(r.path("c_local1_nocoretype"));
            row("OPENBLAS_CORETYPE unset: (a) / (b) / (c)", fmt("%.0f / %.0f / %.0f samples/s", a0, b0, c0.rate), "", "");
            row("    effect of " + ct + ": (a) / (b) / (c)", fmt("%.2fx / %.2fx / %.2fx", a / a0, b / b0, c.rate / c0.rate), "", "");
            notes.append(String.format(Locale.ROOT, "  OpenBLAS kernels without OPENBLAS_CORETYPE: %s%n",
                    r.at("/ab_nocoretype/openblasCore").asText("?")));
            derived.put("openblasEffect", Map.of("a", a / a0, "b", b / b0, "c", c.rate / c0.rate));
        }

        // background load: how much CPU other processes took during each run (the machine has few cores)
        StringBuilder load = new StringBuilder();
        for (String k : List.of("ab", "ab_nocoretype", "c_local1", "c_local1_nocoretype", "d_local2", "f_converge",
                "e_cluster")) {
            JsonNode other = r.path(k).path("otherCoresBusy");
            if (other.isNumber()) {
                load.append(load.length() == 0 ? "" : ", ").append(k.split("_")[0])
                        .append(k.endsWith("nocoretype") ? "0" : "").append(fmt(" %.2f", other.asDouble()));
            }
        }
        row("other processes' CPU during runs (cores)", load.toString(), "~0", "");

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "sparklstm bench, %s mode, %s UTC, commit %s%n", env.path("mode").asText(),
                env.path("timestamp").asText(), env.path("commit").asText()));
        out.append(String.format(Locale.ROOT, "machine: %s, %d cores, %s RAM; load at start %s; table uses OPENBLAS_CORETYPE=%s%n",
                env.path("cpu").asText(), env.path("cores").asInt(), env.path("memTotal").asText(),
                env.path("loadAverageAtStart").asText().split(" ")[0], ct));
        int w0 = 4, w1 = 4, w2 = 4;
        for (String[] row : rows) {
            w0 = Math.max(w0, row[0].length());
            w1 = Math.max(w1, row[1].length());
            w2 = Math.max(w2, row[2].length());
        }
        String f0 = "%-" + w0 + "s  %-" + w1 + "s  %-" + w2 + "s  %s%n";
        out.append(String.format(Locale.ROOT, f0, "figure", "value", "goal", "status"));
        out.append("-".repeat(w0 + w1 + w2 + 14)).append('\n');
        for (String[] row : rows) {
            out.append(String.format(Locale.ROOT, f0, row[0], row[1], row[2], row[3]));
        }
        out.append(notes);
        if (r.has("sweep")) {
            out.append('\n').append(sweep(r.path("sweep"), b));
        }
        out.append(String.format(Locale.ROOT, "load at end %s; bench took %.0f s%n",
                env.path("loadAverageAtEnd").asText().split(" ")[0], env.path("benchSeconds").asDouble()));
        return out.toString();
    }

    private String sweep(JsonNode s, double b) {
        Map<Integer, Double> single = new LinkedHashMap<>();
        List<Job> jobs = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = s.fields();
        while (it.hasNext()) {
            Job j = new Job(it.next().getValue());
            jobs.add(j);
            if (j.master.equals("local[1]") && j.prefetch == 2 && j.freq == 5) {
                single.put(j.batch, j.rate);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| master | batch | avg. freq. | prefetch | samples/s (epoch 2) | efficiency vs 2x local[1] same batch | wall outside tasks | s/epoch | test acc. | task CPU/run | other procs' cores |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<Map<String, Object>> rowsOut = new ArrayList<>();
        for (Job j : jobs) {
            Double ref = single.get(j.batch);
            double eff = j.master.equals("local[2]") && ref != null ? j.rate / (2 * ref) : Double.NaN;
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %.1f | %.4f | %s | %.2f |%n",
                    j.master, j.batch, j.freq, j.prefetch, j.ok ? fmt("%.0f", j.rate) : "failed",
                    Double.isNaN(eff) ? "-" : pct(eff), pct(j.outsideTasks), j.epochSeconds, j.accuracy,
                    pct(j.taskCpuShare), j.otherCores));
            Map<String, Object> m = j.toMap();
            m.put("efficiency", eff);
            rowsOut.add(m);
        }
        derived.put("sweep", rowsOut);
        derived.put("sweepMarkdown", md.toString());
        return "sweep (" + jobs.get(0).describe() + "):\n" + md;
    }

    private static String reach(JsonNode epochs, double target) {
        double wall = 0;
        for (JsonNode ep : epochs) {
            wall += ep.path("trainSeconds").asDouble() + ep.path("evalSeconds").asDouble();
            if (ep.path("accuracy").asDouble() >= target) {
                return fmt("epoch %d, %.0f s training", ep.path("epoch").asInt(),
                        ep.path("cumulativeTrainSeconds").asDouble()) + fmt(" (%.0f s with evals)", wall);
            }
        }
        return "not reached in " + epochs.size() + " epochs";
    }

    private static double median(JsonNode epochs, String field) {
        List<Double> xs = new ArrayList<>();
        epochs.forEach(ep -> xs.add(ep.path(field).asDouble()));
        return BenchSupport.median(xs);
    }

    static double peak(JsonNode run, String role) {
        double p = -1;
        for (JsonNode proc : run.path("processes")) {
            if (proc.path("role").asText().equals(role)) {
                p = Math.max(p, proc.path("peakRssBytes").asDouble());
            }
        }
        return p;
    }

    /** One run of the job (Main or local-cluster.sh): metrics.json, listener stats and /proc samples. */
    static final class Job {
        final boolean ok;
        final String master;
        int batch, freq, prefetch, workers, epochs;
        double rate = Double.NaN, epochSeconds = Double.NaN, outsideTasks = Double.NaN, outsideJobs = Double.NaN;
        double accuracy = Double.NaN, trainingSeconds = Double.NaN, evalRate = Double.NaN;
        double otherCores = Double.NaN, taskCpuShare = Double.NaN;
        double peakDriver, peakExecutor, executorRssSlope = Double.NaN, driverNonHeapSlope = Double.NaN;
        long trainExamples;
        String slice;

        Job(JsonNode run) {
            JsonNode m = run.path("metrics");
            ok = run.path("exitCode").asInt(-1) == 0 && m.isObject();
            master = run.at("/settings/master").asText("standalone");
            batch = run.at("/settings/batchSize").asInt(64);
            freq = run.at("/settings/averagingFrequency").asInt(5);
            prefetch = run.at("/settings/prefetchBatches").asInt(2);
            slice = run.at("/settings/slice").asText("");
            peakDriver = peak(run, "driver");
            otherCores = run.path("otherCoresBusy").asDouble(Double.NaN);
            peakExecutor = peak(run, "executor");
            if (!ok) {
                return;
            }
            workers = m.path("workers").asInt();
            trainExamples = m.path("trainExamples").asLong();
            accuracy = m.path("accuracy").asDouble();
            trainingSeconds = m.path("trainingSeconds").asDouble();
            JsonNode eps = m.path("epochs");
            epochs = eps.size();
            double secs = 0, taskSecs = 0, jobSecs = 0, cpuSecs = 0;
            int n = 0;
            List<Double> epochNo = new ArrayList<>();
            for (JsonNode ep : eps) {
                int no = ep.path("epoch").asInt();
                if (eps.size() > 1 && no == 1) {
                    continue; // epoch 1 includes JIT warm-up: steady state from epoch 2
                }
                epochNo.add((double) no);
                secs += ep.path("seconds").asDouble();
                n++;
                for (JsonNode job : run.at("/stats/jobs")) {
                    if (("train epoch " + no).equals(job.path("description").asText())) {
                        taskSecs += job.path("runMs").asDouble() / 1000;
                        cpuSecs += job.path("cpuMs").asDouble() / 1000;
                        jobSecs += (job.path("endMs").asDouble() - job.path("submitMs").asDouble()) / 1000;
                    }
                }
            }
            rate = trainExamples * n / secs;
            epochSeconds = secs / n;
            if (run.has("stats") && !run.path("stats").isNull()) {
                outsideTasks = 1 - taskSecs / (workers * secs);
                outsideJobs = 1 - jobSecs / secs;
                taskCpuShare = cpuSecs / taskSecs;
                for (JsonNode job : run.at("/stats/jobs")) {
                    if (job.path("description").asText().startsWith("evaluate")) {
                        evalRate = m.path("testExamples").asDouble()
                                / ((job.path("endMs").asDouble() - job.path("submitMs").asDouble()) / 1000);
                    }
                }
            }
            // executor RSS at each epoch end (cluster), from the /proc samples
            List<Double> slopes = new ArrayList<>();
            for (JsonNode proc : run.path("processes")) {
                if (!proc.path("role").asText().equals("executor")) {
                    continue;
                }
                List<Double> x = new ArrayList<>(), y = new ArrayList<>();
                proc.path("rssAtEpochEndBytes").fields().forEachRemaining(en -> {
                    x.add(Double.parseDouble(en.getKey()));
                    y.add(en.getValue().asDouble());
                });
                slopes.add(BenchSupport.slope(x, y));
            }
            executorRssSlope = slopes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        String describe() {
            if (!slice.isEmpty()) {
                String[] p = slice.split(" ");
                return p[1] + " examples x " + p[3] + " epochs";
            }
            return ok ? "full MNIST x " + epochs + " epochs" : "full MNIST";
        }

        String okText() {
            return ok ? "" : "ERROR";
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", ok);
            m.put("master", master);
            m.put("batchSize", batch);
            m.put("averagingFrequency", freq);
            m.put("prefetchBatches", prefetch);
            m.put("workers", workers);
            m.put("trainExamples", trainExamples);
            m.put("epochs", epochs);
            m.put("steadySamplesPerSecond", rate);
            m.put("steadyEpochSeconds", epochSeconds);
            m.put("shareOutsideWorkerTasks", outsideTasks);
            m.put("shareOutsideSparkJobs", outsideJobs);
            m.put("taskCpuShare", taskCpuShare);
            m.put("otherCoresBusy", otherCores);
            m.put("accuracy", accuracy);
            m.put("trainingSeconds", trainingSeconds);
            m.put("evalSamplesPerSecond", evalRate);
            m.put("peakDriverRssBytes", peakDriver);
            m.put("peakExecutorRssBytes", peakExecutor);
            m.put("executorRssSlopeBytesPerEpoch", executorRssSlope);
            return m;
        }
    }

    // ---- formatting ------------------------------------------------------------------------------------------

    private void row(String label, String value, String goal, String status) {
        rows.add(new String[] {label, value, goal, status});
    }

    private static String status(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    private static String rate(double x) {
        return Double.isNaN(x) ? "n/a" : fmt("%.0f samples/s", x);
    }

    private static String med(double x) {
        return Double.isNaN(x) ? "" : fmt(" (median %.0f)", x);
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "n/a" : fmt("%.1f%%", 100 * x);
    }

    private static String gib(double bytes) {
        return bytes <= 0 ? "n/a" : fmt("%.2f GiB", bytes / SuiteBench.GIB_BYTES);
    }

    private static String mibSigned(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : fmt("%+.1f MiB", bytes / (1024 * 1024));
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
