package io.sparklstm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The per-epoch figures of one recorded run of the job ((d)/(f): {@code --evaluate-each-epoch}): test accuracy and
 * evaluation time per epoch from its {@code metrics.json}, when accuracy targets were first reached, and the driver
 * JVM's memory at each epoch end from three sources: {@code /proc} at the time of the epoch's log line, the
 * {@link BenchStatsListener} at the end of the epoch's training (RSS, committed heap, JavaCPP-tracked bytes) and the
 * values the job logs in that line. Every series is keyed by epoch number; what a run did not record is absent, and
 * the figures derived from it are NaN / null.
 */
final class EpochFigures {

    static final double MIB = 1024.0 * 1024;

    /** Off-heap growth is a slope over epochs {@code FIRST_STEADY_EPOCH..}: epoch 1 commits heap and fills caches. */
    static final int FIRST_STEADY_EPOCH = 2;
    /** The slope needs at least this many epochs in all (so at least two points from epoch 2 on). */
    static final int MIN_EPOCHS_FOR_GROWTH = 3;

    final int epochs;
    final long testExamples;
    final TreeMap<Integer, Double> trainSeconds = new TreeMap<>();
    final TreeMap<Integer, Double> accuracy = new TreeMap<>();
    final TreeMap<Integer, Double> evalSeconds = new TreeMap<>();
    /** /proc VmRSS of the driver JVM when the epoch's log line appeared (after the epoch's evaluation). */
    final TreeMap<Integer, Double> procRss = new TreeMap<>();
    /** The listener's sample at the end of the epoch's last training job. */
    final TreeMap<Integer, Double> listenerRss = new TreeMap<>();

    final TreeMap<Integer, Double> listenerHeapCommitted = new TreeMap<>();
    final TreeMap<Integer, Double> listenerNd4j = new TreeMap<>();
    /** As logged by the job in the epoch line (bytes; logged in whole MiB). */
    final TreeMap<Integer, Double> loggedHeapUsed = new TreeMap<>();

    final TreeMap<Integer, Double> loggedHeapCommitted = new TreeMap<>();
    /** /proc smaps of the job's JVM at the epoch line: resident bytes outside the Java heap's address range. */
    final TreeMap<Integer, Double> residentOutsideHeap = new TreeMap<>();

    final TreeMap<Integer, Double> loggedNd4j = new TreeMap<>();
    final TreeMap<Integer, Double> loggedRss = new TreeMap<>();

    EpochFigures(JsonNode run) {
        JsonNode m = run.path("metrics");
        testExamples = m.path("testExamples").asLong(0);
        for (JsonNode ep : m.path("epochs")) {
            int no = ep.path("epoch").asInt();
            put(trainSeconds, no, ep.path("seconds"));
            put(accuracy, no, ep.path("testAccuracy"));
            put(evalSeconds, no, ep.path("evalSeconds"));
        }
        epochs = trainSeconds.size();
        for (JsonNode proc : run.path("processes")) {
            if (proc.path("role").asText().equals("driver")) {
                proc.path("rssAtEpochEndBytes")
                        .fields()
                        .forEachRemaining(e -> put(procRss, Integer.parseInt(e.getKey()), e.getValue()));
            }
        }
        run.at("/stats/epochEnds").fields().forEachRemaining(e -> {
            int no = Integer.parseInt(e.getKey());
            put(listenerRss, no, e.getValue().path("rssBytes"));
            put(listenerHeapCommitted, no, e.getValue().path("heapCommittedBytes"));
            put(listenerNd4j, no, e.getValue().path("javacppTotalBytes"));
        });
        run.path("epochLog").fields().forEachRemaining(e -> {
            int no = Integer.parseInt(e.getKey());
            putMib(loggedHeapUsed, no, e.getValue().path("heapUsedMiB"));
            putMib(loggedHeapCommitted, no, e.getValue().path("heapCommittedMiB"));
            if (e.getValue().path("residentOutsideHeapBytes").asDouble(-1) > 0) {
                residentOutsideHeap.put(
                        no, e.getValue().path("residentOutsideHeapBytes").asDouble());
            }
            putMib(loggedNd4j, no, e.getValue().path("nd4jMiB"));
            putMib(loggedRss, no, e.getValue().path("rssMiB"));
        });
    }

    /** Whether the run measured test accuracy after its epochs. */
    boolean evaluatedEachEpoch() {
        return !accuracy.isEmpty();
    }

    /**
     * The first epoch whose test accuracy reached {@code target}, with the cumulative training seconds and the
     * cumulative training + evaluation seconds up to its end; null if not reached (or not measured).
     */
    Reach reach(double target) {
        double train = 0, wall = 0;
        for (Map.Entry<Integer, Double> e : trainSeconds.entrySet()) {
            train += e.getValue();
            wall += e.getValue() + evalSeconds.getOrDefault(e.getKey(), 0.0);
            Double acc = accuracy.get(e.getKey());
            if (acc != null && acc >= target) {
                return new Reach(e.getKey(), train, wall);
            }
        }
        return null;
    }

    record Reach(int epoch, double trainSeconds, double wallSeconds) {}

    /** Test examples per second of evaluation wall time, per epoch. */
    TreeMap<Integer, Double> evalRates() {
        TreeMap<Integer, Double> rates = new TreeMap<>();
        evalSeconds.forEach((no, s) -> rates.put(no, testExamples / s));
        return rates;
    }

    double steadyEvalSeconds() {
        return mean(evalSeconds.tailMap(FIRST_STEADY_EPOCH).values());
    }

    /** The listener's RSS minus committed heap at each epoch's end of training: native memory plus JVM overhead. */
    TreeMap<Integer, Double> nonHeapRss() {
        TreeMap<Integer, Double> nonHeap = new TreeMap<>();
        listenerRss.forEach((no, rss) -> {
            Double heap = listenerHeapCommitted.get(no);
            if (heap != null && rss > 0) {
                nonHeap.put(no, rss - heap);
            }
        });
        return nonHeap;
    }

    /** Least-squares slope per epoch of a series over epochs 2..; NaN with fewer than 3 epochs or 2 points. */
    double growth(TreeMap<Integer, Double> series) {
        if (epochs < MIN_EPOCHS_FOR_GROWTH) {
            return Double.NaN;
        }
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        series.tailMap(FIRST_STEADY_EPOCH).forEach((no, v) -> {
            x.add((double) no);
            y.add(v);
        });
        return BenchSupport.slope(x, y);
    }

    /**
     * The off-heap growth figure the verdict uses, {@code judged} names it: the resident memory outside the Java
     * heap's address range (/proc smaps at the epoch lines) where recorded; else RSS minus committed heap (listener,
     * then the job's epoch lines), which also moves when the GC first touches committed heap pages; else the larger
     * of the logged ND4J and RSS slopes (ND4J's own count may miss memory, so it cannot pass a run on its own).
     */
    Growth offHeapGrowth() {
        double nonHeap = growth(nonHeapRss());
        double logged = growth(loggedNd4j), loggedRssSlope = growth(loggedRss);
        String judged = "RSS - committed heap";
        double outside = growth(residentOutsideHeap);
        if (!Double.isNaN(outside)) {
            nonHeap = outside;
            judged = "resident memory outside the Java heap (smaps)";
        }
        if (Double.isNaN(nonHeap)) {
            nonHeap = growth(difference(loggedRss, loggedHeapCommitted));
            judged = "RSS - committed heap (epoch lines)";
        }
        double judgedSlope = nonHeap;
        if (Double.isNaN(nonHeap)) {
            judgedSlope = Double.isNaN(logged) || Double.isNaN(loggedRssSlope)
                    ? Double.NaN
                    : Math.max(logged, loggedRssSlope);
            judged = Double.isNaN(judgedSlope) ? null : "the larger of logged ND4J off-heap and RSS";
        }
        return new Growth(
                judgedSlope,
                judged,
                nonHeap,
                growth(listenerRss),
                growth(listenerNd4j),
                growth(procRss),
                logged,
                loggedRssSlope,
                FIRST_STEADY_EPOCH,
                trainSeconds.isEmpty() ? 0 : trainSeconds.lastKey());
    }

    private static TreeMap<Integer, Double> difference(TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        TreeMap<Integer, Double> d = new TreeMap<>();
        a.forEach((epoch, v) -> {
            if (b.containsKey(epoch)) {
                d.put(epoch, v - b.get(epoch));
            }
        });
        return d;
    }

    /** Slopes in bytes per epoch over epochs {@code from..to}. */
    record Growth(
            double judgedSlope,
            String judged,
            double nonHeapRss,
            double rss,
            double javacppTracked,
            double procRss,
            double loggedNd4j,
            double loggedRss,
            int from,
            int to) {}

    /** "e1 0.9512, e2 0.9701, ..." of a series, formatted per value; all epochs up to 10, else the first and last 4. */
    static <T> String series(TreeMap<Integer, T> s, Function<T, String> format) {
        List<Integer> keys = new ArrayList<>(s.keySet());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.size() > 10 && i >= 4 && i < keys.size() - 4) {
                if (i == 4) {
                    out.append(", ...");
                }
                continue;
            }
            out.append(out.length() == 0 ? "" : ", ")
                    .append('e')
                    .append(keys.get(i))
                    .append(' ')
                    .append(format.apply(s.get(keys.get(i))));
        }
        return out.toString();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("testAccuracy", accuracy);
        m.put("evalSeconds", evalSeconds);
        m.put("evalSamplesPerSecond", evalRates());
        for (double target : new double[] {0.98, 0.99}) {
            Reach r = reach(target);
            m.put(
                    "reach" + Math.round(target * 100),
                    r == null
                            ? null
                            : Map.of(
                                    "epoch",
                                    r.epoch(),
                                    "cumulativeTrainSeconds",
                                    r.trainSeconds(),
                                    "cumulativeWallSecondsWithEvaluations",
                                    r.wallSeconds()));
        }
        m.put("procRssAtEpochLineBytes", procRss);
        m.put("listenerRssBytes", listenerRss);
        m.put("listenerHeapCommittedBytes", listenerHeapCommitted);
        m.put("listenerJavacppTotalBytes", listenerNd4j);
        m.put("loggedHeapUsedBytes", loggedHeapUsed);
        m.put("loggedNd4jOffHeapBytes", loggedNd4j);
        m.put("loggedRssBytes", loggedRss);
        m.put("offHeapGrowthBytesPerEpoch", offHeapGrowth());
        return m;
    }

    private static void put(Map<Integer, Double> series, int epoch, JsonNode value) {
        if (value.isNumber()) {
            series.put(epoch, value.asDouble());
        }
    }

    private static void putMib(Map<Integer, Double> series, int epoch, JsonNode value) {
        if (value.isNumber()) {
            series.put(epoch, value.asDouble() * MIB);
        }
    }

    private static double mean(java.util.Collection<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
