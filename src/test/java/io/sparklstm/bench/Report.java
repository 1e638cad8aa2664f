package io.sparklstm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Derived figures and the table of {@link SuiteBench}, computed from its raw results (child outputs, listener stats,
 * /proc samples). Everything here is arithmetic on recorded numbers; see bench/README.md for the definitions. A figure
 * whose numbers a (possibly older) results file does not hold is rendered "n/a".
 */
final class Report {

    /** Off-heap growth tolerated as noise: non-heap RSS slope per epoch. */
    static final double GROWTH_TOLERANCE_BYTES = 8 * 1024 * 1024;
    /**
     * The training settings of results files written before the bench recorded the job's defaults ("jobDefaults"):
     * the defaults of that time, which those runs passed explicitly.
     */
    private static final SuiteBench.Training OLD_DEFAULTS = new SuiteBench.Training(64, 5, 2);

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
        row(
                "(a) stock LSTM, 1 JVM, 1 thread, batch "
                        + r.at("/ab/result/batch").asText("n/a"),
                rate(a) + med(aMed),
                "",
                "");
        row("(b) FastLSTM (project path), same", rate(b) + med(bMed), "", "");
        double speedup = b / a;
        derived.put("speedupBOverA", speedup);
        row("    speed-up (b)/(a)", num("%.2fx", speedup), ">= 6x", verdict(speedup, speedup >= 6));
        String core = r.at("/ab/openblasCore").asText("?");
        notes.append(String.format(
                Locale.ROOT,
                "  OpenBLAS kernels reported for the table's runs: %s (OPENBLAS_CORETYPE=%s)%n",
                core,
                ct));

        // (c), (d)/(f): (d) is one run of the job with its defaults and --evaluate-each-epoch, (f) its accuracy curve
        Job c = new Job(r.path("c_local1"));
        Job d = new Job(r.path("d_local2"));
        EpochFigures f = new EpochFigures(r.path("d_local2"));
        JsonNode e = r.path("e_cluster");
        Job ej = e.isMissingNode() || e.has("status") ? null : new Job(e);
        row(
                "training settings (job defaults, "
                        + r.at("/jobDefaults/source").asText("not recorded") + ")",
                settingsOf(c, d, ej),
                "",
                "");
        row("(c) job, Spark local[1] (" + c.describe() + ")", rate(c.rate) + c.steadyEpochs(), "", c.okText());
        row(
                "(d) job, Spark local[2] (" + d.describe() + ")",
                rate(d.rate) + d.steadyEpochs(),
                ">= 1500",
                d.ok ? verdict(d.rate, d.rate >= 1500) : d.okText());
        double eff = d.rate / (2 * c.rate);
        derived.put("parallelEfficiency", eff);
        row("    parallel efficiency (d)/(2x(c))", pct(eff), ">= 85%", verdict(eff, eff >= 0.85));
        double da = d.rate / a;
        row("    (d) / (a): 2 cores vs stock 1 thread", num("%.2fx", da), ">= 6x", verdict(da, da >= 6));
        row("    wall outside worker tasks, (c) / (d)", pct(c.outsideTasks) + " / " + pct(d.outsideTasks), "", "");
        row(
                "    worker tasks' CPU time / run time, (c) / (d)",
                pct(c.taskCpuShare) + " / " + pct(d.taskCpuShare),
                "~100%",
                "");
        row(
                "    wall outside fitting at rate (b), (c) / (d)",
                pct(1 - c.rate / b) + " / " + pct(1 - d.rate / (d.workers * b)),
                "",
                "");
        row(
                "    seconds per epoch (d" + (quick ? ", slice" : ", full MNIST") + ")",
                seconds(d.epochSeconds) + " training"
                        + (f.evaluatedEachEpoch() ? " + " + seconds(f.steadyEvalSeconds()) + " evaluation" : ""),
                "",
                "");
        row(
                "(f) test accuracy per epoch (d)",
                f.evaluatedEachEpoch()
                        ? EpochFigures.series(f.accuracy, x -> fmt("%.4f", x))
                        : "n/a (run without --evaluate-each-epoch)",
                "",
                "");
        row(
                "    final test accuracy (d" + (quick ? ", slice: not the goal" : ", job defaults") + ")",
                d.ok ? fmt("%.4f after %d epochs, %.0f s training", d.accuracy, d.epochs, d.trainingSeconds) : "n/a",
                ">= 0.9900",
                quick || !d.ok ? "n/a" : status(d.accuracy >= 0.99));
        row("    to 98% test accuracy", reach(f, 0.98), "", "");
        EpochFigures.Reach at99 = f.evaluatedEachEpoch() ? f.reach(0.99) : null;
        boolean fullMnist = d.trainExamples >= 60_000;
        row(
                "    to 99% test accuracy",
                reach(f, 0.99),
                fullMnist ? "<= 120 s" : "",
                !fullMnist ? "n/a" : at99 == null ? "FAIL" : status(at99.trainSeconds() <= 120));
        row("    evaluation throughput (d), per epoch", evalThroughput(f, d), "", "");
        JsonNode g = r.path("g_score");
        row(
                "(g) batch scoring, score command, local[2], (d)'s model",
                g.has("imagesPerSecond")
                        ? fmt(
                                "%.0f images/s (%d images in %.1f s: model, IDX, predict, Parquet), accuracy %s",
                                g.path("imagesPerSecond").asDouble(),
                                g.path("images").asLong(),
                                g.path("seconds").asDouble(),
                                g.path("accuracy").asText("n/a"))
                        : "n/a"
                                + (g.has("exitCode")
                                        ? " (exit " + g.path("exitCode").asInt() + ")"
                                        : " (not run)"),
                "",
                "");
        peerRows(r.path("h_peers"), c, d);
        pairRows(r.path("i_pairs"));
        double eval1 = r.at("/ab/result/evalSamplesPerSecond/fast").asDouble(Double.NaN);
        row("    evaluation throughput, FastLSTM 1 thread b256", rate(eval1) + " test", "", "");
        derived.put("c", c.toMap());
        derived.put("d", d.toMap());
        derived.put("dEpochs", f.toMap());

        // (e)
        if (e.has("status")) {
            row("(e) standalone, 2 executors x 1 core", e.path("status").asText(), "", "");
        } else if (ej != null) {
            row("(e) standalone, 2 executors x 1 core (" + ej.describe() + ")", rate(ej.rate), "", ej.okText());
            row("    efficiency (e)/(2x(c))", pct(ej.rate / (2 * c.rate)), "", "");
            executorRssRow("    executor peak RSS (max of 2; settings: submit/local-cluster.sh's)", ej);
            row("    driver peak RSS", gib(ej.peakDriver), "", "");
            row(
                    "    executor RSS growth per epoch",
                    mibSigned(ej.executorRssSlope) + "/epoch",
                    "none",
                    verdict(ej.executorRssSlope, ej.executorRssSlope <= GROWTH_TOLERANCE_BYTES));
            derived.put("e", ej.toMap());
            JsonNode e1 = r.path("e_cluster1");
            Job one = e1.isMissingNode() ? null : new Job(e1);
            if (one != null) {
                row("(e1) standalone, 1 executor x 1 core (" + one.describe() + ")", rate(one.rate), "", one.okText());
                row("    scaling 1 -> 2 executors: (e)/(2x(e1))", pct(ej.rate / (2 * one.rate)), "", "");
                executorRssRow("    executor peak RSS", one);
                derived.put("e1", one.toMap());
            }
            for (Job j : one == null ? List.of(ej) : List.of(one, ej)) {
                row(
                        "    per round, " + j.master + ", " + j.workers + " workers: wall / mean task / slowest / gap",
                        fmt(
                                        "%.0f / %.0f / %.0f / %.0f ms",
                                        j.roundWallMs, j.roundTaskMs, j.roundMaxTaskMs, j.roundGapMs)
                                + fmt(
                                        " (%.1f rounds/epoch; outside the slowest task %.0f ms)",
                                        j.roundsPerEpoch, j.roundWallMs - j.roundMaxTaskMs + j.roundGapMs),
                        "",
                        "");
            }
        }

        // memory of the local runs; in local mode the driver JVM is the executors
        row(
                "peak RSS, local[2] JVM (driver = executors), (d)",
                gib(d.peakDriver),
                "<= 2 GiB",
                d.peakDriver > 0
                        ? status(d.peakDriver <= 2.0 * SuiteBench.GIB_BYTES) + (ej == null ? "" : " (info)")
                        : "n/a");
        memoryRows(f);
        row("peak RSS, local[1] JVM, (c)", gib(c.peakDriver), "", "");

        // OpenBLAS A/B
        if (r.has("ab_nocoretype")) {
            double a0 = r.at("/ab_nocoretype/result/trainSamplesPerSecond/stock/best")
                    .asDouble(Double.NaN);
            double b0 = r.at("/ab_nocoretype/result/trainSamplesPerSecond/fast/best")
                    .asDouble(Double.NaN);
            Job c0 = new Job(r.path("c_local1_nocoretype"));
            row(
                    "OPENBLAS_CORETYPE unset: (a) / (b) / (c)",
                    num("%.0f", a0) + " / " + num("%.0f", b0) + " / " + num("%.0f", c0.rate) + " samples/s",
                    "",
                    "");
            row(
                    "    effect of " + ct + ": (a) / (b) / (c)",
                    num("%.2fx", a / a0) + " / " + num("%.2fx", b / b0) + " / " + num("%.2fx", c.rate / c0.rate),
                    "",
                    "");
            notes.append(String.format(
                    Locale.ROOT,
                    "  OpenBLAS kernels without OPENBLAS_CORETYPE: %s%n",
                    r.at("/ab_nocoretype/openblasCore").asText("?")));
            derived.put("openblasEffect", Map.of("a", a / a0, "b", b / b0, "c", c.rate / c0.rate));
        }

        // background load: how much CPU other processes took during each run (the machine has few cores)
        StringBuilder load = new StringBuilder();
        for (String k : List.of("ab", "ab_nocoretype", "c_local1", "c_local1_nocoretype", "d_local2", "e_cluster")) {
            JsonNode other = r.path(k).path("otherCoresBusy");
            if (other.isNumber()) {
                load.append(load.length() == 0 ? "" : ", ")
                        .append(k.split("_")[0])
                        .append(k.endsWith("nocoretype") ? "0" : "")
                        .append(fmt(" %.2f", other.asDouble()));
            }
        }
        row("other processes' CPU during runs (cores)", load.toString(), "~0", "");

        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "sparklstm bench, %s mode, %s UTC, commit %s%n",
                env.path("mode").asText(),
                env.path("timestamp").asText(),
                env.path("commit").asText()));
        out.append(String.format(
                Locale.ROOT,
                "machine: %s, %d cores, %s RAM; load at start %s; table uses OPENBLAS_CORETYPE=%s%n",
                env.path("cpu").asText(),
                env.path("cores").asInt(),
                env.path("memTotal").asText(),
                env.path("loadAverageAtStart").asText().split(" ")[0],
                ct));
        JsonNode jd = r.path("jobDefaults");
        out.append(
                jd.isObject()
                        ? fmt(
                                "job defaults (%s): %s, %s epochs%n",
                                jd.path("source").asText(),
                                defaults(),
                                jd.path("epochs").asText("n/a"))
                        : "job defaults: not recorded (older bench); the rows use each run's recorded settings, the sweep's"
                                + " reference " + defaults() + "\n");
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
        if (r.path("sweep").size() > 0) {
            out.append('\n').append(sweep(r.path("sweep")));
        }
        out.append(String.format(
                Locale.ROOT,
                "load at end %s; bench took %.0f s%n",
                env.path("loadAverageAtEnd").asText().split(" ")[0],
                env.path("benchSeconds").asDouble()));
        return out.toString();
    }

    private String sweep(JsonNode s) {
        SuiteBench.Training def = defaults();
        Map<Integer, Double> single = new LinkedHashMap<>();
        List<Job> jobs = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = s.fields();
        while (it.hasNext()) {
            Job j = new Job(it.next().getValue());
            jobs.add(j);
            if (j.master.equals("local[1]") && j.prefetch == def.prefetch() && j.freq == def.freq()) {
                single.put(j.batch, j.rate);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(fmt(
                "| master | batch | avg. freq. | prefetch | samples/s (epoch 2) | efficiency vs 2x local[1] same batch"
                        + " (avg. freq. %d, prefetch %d) | wall outside tasks | s/epoch | test acc. | task CPU/run"
                        + " | other procs' cores |%n",
                def.freq(), def.prefetch()));
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<Map<String, Object>> rowsOut = new ArrayList<>();
        for (Job j : jobs) {
            Double ref = single.get(j.batch);
            double eff = j.master.equals("local[2]") && ref != null ? j.rate / (2 * ref) : Double.NaN;
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |%n",
                    j.master,
                    j.batch,
                    j.freq,
                    j.prefetch,
                    j.ok ? fmt("%.0f", j.rate) : "failed",
                    Double.isNaN(eff) ? "-" : pct(eff),
                    pct(j.outsideTasks),
                    num("%.1f", j.epochSeconds),
                    num("%.4f", j.accuracy),
                    pct(j.taskCpuShare),
                    num("%.2f", j.otherCores)));
            Map<String, Object> m = j.toMap();
            m.put("efficiency", eff);
            rowsOut.add(m);
        }
        derived.put("sweep", rowsOut);
        derived.put("sweepMarkdown", md.toString());
        return "sweep (" + jobs.get(0).describe() + "):\n" + md;
    }

    /**
     * The job's defaults the results were measured with: recorded since bench2; before, (d)'s settings if recorded,
     * else the old defaults.
     */
    private SuiteBench.Training defaults() {
        JsonNode jd = r.path("jobDefaults");
        return jd.isObject()
                ? new SuiteBench.Training(
                        jd.path("batchSize").asInt(),
                        jd.path("averagingFrequency").asInt(),
                        jd.path("prefetchBatches").asInt())
                : new Job(r.path("d_local2")).training();
    }

    /** The settings of (c), (d) and (e): once if they agree (they should: the efficiency ratios need it). */
    private static String settingsOf(Job c, Job d, Job e) {
        String sc = c.training().toString(), sd = d.training().toString();
        String se = e == null ? null : e.training().toString();
        if (sc.equals(sd) && (se == null || se.equals(sd))) {
            return sd + (se == null ? " in (c), (d)" : " in (c), (d), (e)");
        }
        return "DIFFER: (c) " + sc + "; (d) " + sd + (se == null ? "" : "; (e) " + se);
    }

    private static String reach(EpochFigures f, double target) {
        if (!f.evaluatedEachEpoch()) {
            return "n/a";
        }
        EpochFigures.Reach at = f.reach(target);
        return at == null
                ? "not reached in " + f.epochs + " epochs"
                : fmt(
                        "epoch %d: %.0f s training, %.0f s with evaluations",
                        at.epoch(), at.trainSeconds(), at.wallSeconds());
    }

    private static String evalThroughput(EpochFigures f, Job d) {
        if (!f.evaluatedEachEpoch()) {
            return rate(d.evalRate) + " test (Spark evaluation job)";
        }
        List<Double> rates = new ArrayList<>(f.evalRates().values());
        return rate(BenchSupport.median(rates))
                + fmt(
                        " test (median of %d; %d examples, %s)",
                        rates.size(), f.testExamples, EpochFigures.series(f.evalSeconds, x -> fmt("%.1f s", x)));
    }

    /**
     * The driver JVM's memory at each epoch end of (d) and the off-heap growth over epochs 2.. (RSS minus committed
     * heap where the listener recorded both, else the ND4J off-heap the job logged), with the figures it is made of.
     */
    private void memoryRows(EpochFigures f) {
        row(
                "    RSS at epoch ends (/proc, at the epoch line)",
                f.procRss.isEmpty()
                        ? "n/a"
                        : EpochFigures.series(f.procRss, x -> fmt("%.2f", x / SuiteBench.GIB_BYTES)) + " GiB",
                "",
                "");
        TreeMap<Integer, Double> nonHeap = f.nonHeapRss();
        row(
                "    RSS - committed heap at end of training",
                nonHeap.isEmpty()
                        ? "n/a"
                        : EpochFigures.series(nonHeap, x -> fmt("%.0f", x / EpochFigures.MIB)) + " MiB",
                "",
                "");
        row(
                "    resident outside the Java heap (/proc smaps)",
                f.residentOutsideHeap.isEmpty()
                        ? "n/a"
                        : EpochFigures.series(f.residentOutsideHeap, x -> fmt("%.0f", x / EpochFigures.MIB)) + " MiB",
                "",
                "");
        TreeMap<Integer, String> logged = new TreeMap<>();
        f.loggedRss.forEach((no, rss) -> logged.put(
                no, wholeMib(f.loggedHeapUsed.get(no)) + "/" + wholeMib(f.loggedNd4j.get(no)) + "/" + wholeMib(rss)));
        row(
                "    logged heap used / ND4J off-heap / RSS",
                logged.isEmpty() ? "n/a" : EpochFigures.series(logged, x -> x) + " MiB",
                "",
                "");
        EpochFigures.Growth g = f.offHeapGrowth();
        boolean enough = f.epochs >= EpochFigures.MIN_EPOCHS_FOR_GROWTH;
        String epochs = enough ? fmt(", epochs %d-%d", g.from(), g.to()) : "";
        String value = !enough
                ? fmt("n/a (needs >= %d epochs, ran %d)", EpochFigures.MIN_EPOCHS_FOR_GROWTH, f.epochs)
                : g.judged() == null
                        ? "n/a (no memory recorded per epoch)"
                        : mibSigned(g.judgedSlope()) + "/epoch (" + g.judged() + ")";
        row(
                "    off-heap growth per epoch" + epochs,
                value,
                "none",
                verdict(g.judgedSlope(), g.judgedSlope() <= GROWTH_TOLERANCE_BYTES));
        if (enough) {
            row(
                    "    other slopes" + epochs + " (MiB/epoch)",
                    fmt(
                            "RSS %s, JavaCPP %s (end of training); /proc RSS %s;" + " logged ND4J %s, RSS %s",
                            mib1(g.rss()),
                            mib1(g.javacppTracked()),
                            mib1(g.procRss()),
                            mib1(g.loggedNd4j()),
                            mib1(g.loggedRss())),
                    "",
                    "");
        }
        derived.put("offHeapSlopeBytesPerEpoch", g);
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
        final boolean recorded;
        final String master;
        final boolean evaluateEachEpoch;
        int batch, freq, prefetch, workers, epochs, firstSteady, lastSteady;
        double rate = Double.NaN, epochSeconds = Double.NaN, outsideTasks = Double.NaN, outsideJobs = Double.NaN;
        double accuracy = Double.NaN, trainingSeconds = Double.NaN, evalRate = Double.NaN;
        double otherCores = Double.NaN, taskCpuShare = Double.NaN;
        /** Steady epochs' averaging rounds: count per epoch, mean wall (submit to end), mean task run, mean gap. */
        double roundsPerEpoch = Double.NaN, roundWallMs = Double.NaN, roundTaskMs = Double.NaN, roundGapMs = Double.NaN;

        double roundMaxTaskMs = Double.NaN;

        double peakDriver, peakExecutor, executorRssSlope = Double.NaN;
        long trainExamples;
        String slice;

        Job(JsonNode run) {
            JsonNode m = run.path("metrics");
            recorded = run.isObject();
            ok = run.path("exitCode").asInt(-1) == 0 && m.isObject();
            master = run.at("/settings/master").asText("standalone");
            batch = run.at("/settings/batchSize").asInt(OLD_DEFAULTS.batch());
            freq = run.at("/settings/averagingFrequency").asInt(OLD_DEFAULTS.freq());
            prefetch = run.at("/settings/prefetchBatches").asInt(OLD_DEFAULTS.prefetch());
            slice = run.at("/settings/slice").asText("");
            evaluateEachEpoch = run.at("/settings/evaluateEachEpoch").asBoolean(false);
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
            for (JsonNode ep : eps) {
                int no = ep.path("epoch").asInt();
                if (eps.size() > 1 && no == 1) {
                    continue; // epoch 1 includes JIT warm-up: steady state from epoch 2
                }
                firstSteady = n == 0 ? no : firstSteady;
                lastSteady = no;
                secs += ep.path("seconds").asDouble();
                n++;
                for (JsonNode job : run.at("/stats/jobs")) {
                    if (job.path("description").asText().startsWith("epoch " + no + "/")) {
                        taskSecs += job.path("runMs").asDouble() / 1000;
                        cpuSecs += job.path("cpuMs").asDouble() / 1000;
                        jobSecs += (job.path("endMs").asDouble()
                                        - job.path("submitMs").asDouble())
                                / 1000;
                    }
                }
            }
            rate = trainExamples * n / secs;
            roundTimings(run.at("/stats/jobs"), firstSteady, lastSteady);
            epochSeconds = secs / n;
            if (run.has("stats") && !run.path("stats").isNull()) {
                outsideTasks = 1 - taskSecs / (workers * secs);
                outsideJobs = 1 - jobSecs / secs;
                taskCpuShare = cpuSecs / taskSecs;
                for (JsonNode job : run.at("/stats/jobs")) {
                    if (job.path("description").asText().startsWith("evaluate")) {
                        evalRate = m.path("testExamples").asDouble()
                                / ((job.path("endMs").asDouble()
                                                - job.path("submitMs").asDouble())
                                        / 1000);
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
            executorRssSlope =
                    slopes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** The per-round figures of the steady epochs, from the listener's jobs "epoch N/E · round r/R". */
        private void roundTimings(JsonNode jobs, int first, int last) {
            double wall = 0, task = 0, gap = 0, maxTask = 0;
            int rounds = 0, gaps = 0;
            JsonNode previous = null;
            for (JsonNode job : jobs) {
                String desc = job.path("description").asText();
                if (!desc.startsWith("epoch ") || !desc.contains(" · round ")) {
                    previous = null;
                    continue;
                }
                int epoch = Integer.parseInt(desc.substring(6, desc.indexOf('/')));
                if (epoch < first || epoch > last) {
                    previous = null;
                    continue;
                }
                wall += job.path("endMs").asDouble() - job.path("submitMs").asDouble();
                task += job.path("runMs").asDouble()
                        / Math.max(1, job.path("tasks").asInt());
                maxTask += job.path("maxRunMs").asDouble();
                rounds++;
                if (previous != null) {
                    gap += job.path("submitMs").asDouble()
                            - previous.path("endMs").asDouble();
                    gaps++;
                }
                previous = job;
            }
            if (rounds > 0) {
                roundsPerEpoch = rounds / (double) (last - first + 1);
                roundWallMs = wall / rounds;
                roundTaskMs = task / rounds;
                roundMaxTaskMs = maxTask / rounds;
                roundGapMs = gaps == 0 ? Double.NaN : gap / gaps;
            }
        }

        /** "6400 examples x 3 epochs" / "full MNIST x 3 epochs", from the recorded slice and metrics. */
        String describe() {
            List<String> p = List.of(slice.trim().split("\\s+"));
            int limit = p.indexOf("--train-limit"), ep = p.indexOf("--epochs");
            String data = limit >= 0 && limit + 1 < p.size() ? p.get(limit + 1) + " examples" : "full MNIST";
            String n = ok ? Integer.toString(epochs) : ep >= 0 && ep + 1 < p.size() ? p.get(ep + 1) : null;
            return data
                    + (n == null ? "" : " x " + n + " epochs")
                    + (evaluateEachEpoch ? ", evaluated each epoch" : "");
        }

        /** Which epochs the steady-state figures average. */
        String steadyEpochs() {
            return !ok || lastSteady == 0
                    ? ""
                    : firstSteady == lastSteady
                            ? fmt(" (epoch %d)", firstSteady)
                            : fmt(" (epochs %d-%d)", firstSteady, lastSteady);
        }

        SuiteBench.Training training() {
            return new SuiteBench.Training(batch, freq, prefetch);
        }

        String okText() {
            return ok ? "" : recorded ? "ERROR" : "n/a";
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", ok);
            m.put("master", master);
            m.put("evaluateEachEpoch", evaluateEachEpoch);
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
            m.put("roundsPerEpoch", roundsPerEpoch);
            m.put("roundWallMs", roundWallMs);
            m.put("roundTaskMs", roundTaskMs);
            m.put("roundMaxTaskMs", roundMaxTaskMs);
            m.put("roundGapMs", roundGapMs);
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

    /**
     * (h): PyTorch and Keras/TensorFlow CPU on (c)'s slice with 1 and 2 threads, and the job's ratios to each from the
     * same run. Issue 14's goal (1.3x per core, 1.5x on two cores) is judged against PyTorch's official CPU build
     * (MKL and oneDNN); a generic build, such as Debian's, is shown but not judged.
     */
    private void peerRows(JsonNode peers, Job c, Job d) {
        if (peers.isMissingNode()) {
            row("(h) peers", "n/a (run with --no-peers)", "", "");
            return;
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (String framework : List.of("pytorch", "keras")) {
            String name = framework.equals("pytorch") ? "PyTorch" : "Keras/TensorFlow";
            if (peers.has(framework)) {
                row(
                        "(h) " + name + " CPU",
                        peers.at("/" + framework + "/status").asText(),
                        "",
                        "");
                continue;
            }
            JsonNode one = peers.at("/" + framework + "_1/result");
            double oneRate = one.path("samplesPerSecond").asDouble(Double.NaN);
            double twoRate =
                    peers.at("/" + framework + "_2/result/samplesPerSecond").asDouble(Double.NaN);
            String build = one.path("version").asText("?")
                    + (framework.equals("pytorch")
                            ? (one.path("mkl").asBoolean(false) ? ", MKL" : ", no MKL")
                                    + (one.path("onednn").asBoolean(false) ? ", oneDNN" : ", no oneDNN")
                            : "")
                    + (peers.at("/" + framework + "_1/env/MALLOC_TRIM_THRESHOLD_")
                                    .isMissingNode()
                            ? ""
                            : ", glibc malloc keeps freed memory");
            row(
                    "(h) " + name + " CPU (" + build + "), same net/slice/batch/Adam, 1 thread",
                    rate(oneRate) + " (epoch 2)",
                    "",
                    "");
            row("    " + name + ", 2 threads", rate(twoRate) + " (epoch 2)", "", "");
            double perCore = c.rate / oneRate;
            double twoCores = d.rate / twoRate;
            boolean judged = framework.equals("pytorch")
                    && one.path("onednn").asBoolean(false)
                    && one.path("mkl").asBoolean(false);
            String notJudged = framework.equals("pytorch") ? "not judged: generic build" : "";
            row(
                    "    job / " + name + ", 1 core: (c) / 1 thread",
                    num("%.2fx", perCore),
                    framework.equals("pytorch") ? ">= 1.3x" : "",
                    judged ? verdict(perCore, perCore >= 1.3) : notJudged);
            row(
                    "    job / " + name + ", 2 cores: (d) / 2 threads",
                    num("%.2fx", twoCores),
                    framework.equals("pytorch") ? ">= 1.5x" : "",
                    judged ? verdict(twoCores, twoCores >= 1.5) : notJudged);
            ratios.put(framework, Map.of("build", build, "perCore", perCore, "twoCores", twoCores));
        }
        derived.put("peers", ratios);
    }

    /**
     * (i): the interleaved one-core pairs, each the job's (c) run then PyTorch's one-thread run right after it; issue
     * 14's per-core goal judged on their median ratio (the pairs share the machine's drift, (c) and (h) do not).
     */
    private void pairRows(JsonNode pairs) {
        if (!pairs.isArray() || pairs.isEmpty()) {
            return;
        }
        List<Double> ratios = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (JsonNode pair : pairs) {
            double job = new Job(pair.path("job")).rate;
            double torch = pair.at("/pytorch/result/samplesPerSecond").asDouble(Double.NaN);
            double ratio = job / torch;
            shown.add(Double.isNaN(ratio) ? "n/a" : fmt("%.0f/%.0f = %.2fx", job, torch, ratio));
            if (!Double.isNaN(ratio)) {
                ratios.add(ratio);
            }
        }
        double median = median(ratios);
        JsonNode torch = pairs.get(0).at("/pytorch/result");
        boolean judged =
                torch.path("mkl").asBoolean(false) && torch.path("onednn").asBoolean(false);
        row(
                "(i) 1 core, " + pairs.size() + " interleaved pairs: job (c) / PyTorch 1 thread",
                String.join("; ", shown),
                "",
                "");
        row(
                "    median of the pairs",
                num("%.2fx", median),
                ">= 1.3x",
                judged ? verdict(median, median >= 1.3) : "not judged: generic build");
        double[] geometric = geometricMean(ratios);
        row(
                "    geometric mean of the pairs, 95 % interval",
                ratios.size() < 2 ? "n/a" : fmt("%.2fx (%.2f-%.2f)", geometric[0], geometric[1], geometric[2]),
                "",
                ratios.size() < 2 ? "" : geometric[1] >= 1.3 ? "above 1.3x" : "interval reaches below 1.3x");
        derived.put(
                "pairs",
                Map.of(
                        "ratios",
                        ratios,
                        "median",
                        median,
                        "geometricMean",
                        geometric[0],
                        "interval95",
                        List.of(geometric[1], geometric[2])));
    }

    /**
     * The pairs' geometric mean and its 95 % confidence interval (Student's t on the logarithms of the ratios): how
     * far the machine's run-to-run spread leaves the per-core verdict in doubt. NaN for fewer than two pairs.
     */
    static double[] geometricMean(List<Double> ratios) {
        int n = ratios.size();
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double mean = ratios.stream().mapToDouble(Math::log).average().orElseThrow();
        double squares = ratios.stream()
                .mapToDouble(r -> (Math.log(r) - mean) * (Math.log(r) - mean))
                .sum();
        double half = studentT95(n - 1) * Math.sqrt(squares / (n - 1) / n);
        return new double[] {Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half)};
    }

    /** Two-sided 95 % quantile of Student's t with {@code df} degrees of freedom (1.96 beyond 30). */
    private static double studentT95(int df) {
        double[] table = {
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
        };
        return df <= table.length ? table[df - 1] : 1.96;
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = xs.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    /** A cluster run's executor peak RSS against issue 14's 1.5 GiB. */
    private void executorRssRow(String label, Job j) {
        row(
                label,
                gib(j.peakExecutor),
                "<= 1.5 GiB",
                j.peakExecutor > 0 ? status(j.peakExecutor <= 1.5 * SuiteBench.GIB_BYTES) : "n/a");
    }

    private void row(String label, String value, String goal, String status) {
        rows.add(new String[] {label, value, goal, status});
    }

    private static String status(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }

    /** PASS/FAIL of a figure, n/a when it was not measured (NaN). */
    private static String verdict(double figure, boolean pass) {
        return Double.isNaN(figure) ? "n/a" : status(pass);
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

    private static String wholeMib(Double bytes) {
        return bytes == null ? "?" : fmt("%.0f", bytes / EpochFigures.MIB);
    }

    private static String seconds(double s) {
        return num("%.1f s", s);
    }

    /** A number, or n/a for NaN. */
    private static String num(String format, double x) {
        return Double.isNaN(x) ? "n/a" : fmt(format, x);
    }

    private static String mibSigned(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : mib1(bytes) + " MiB";
    }

    /** Signed MiB with one decimal, no "-0.0". */
    private static String mib1(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : fmt("%+.1f", Math.round(bytes / EpochFigures.MIB * 10) / 10.0 + 0.0);
    }

    static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
