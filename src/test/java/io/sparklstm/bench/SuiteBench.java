package io.sparklstm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.BuildInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The whole benchmark of bench/run.sh in one invocation (so that ratios come from the same minutes of a noisy
 * machine): runs every configuration as its own child JVM, one at a time, polls the children's memory in /proc, reads
 * what they wrote (the job's metrics.json, the {@link BenchStatsListener} file, the benches' JSON), prints one table
 * and writes everything to {@code bench/results/<timestamp>.json}. See bench/README.md for the figures.
 *
 * <p>The training settings (batch size, averaging frequency, prefetch) of every run are the job's defaults, read from
 * {@code conf/sparklstm.properties} and passed explicitly, so each run records what it used; the sweep varies one of
 * them at a time around those defaults.
 *
 * <p>Options: {@code --quick} (slices, short), {@code --coretype auto|none|NAME} (OPENBLAS_CORETYPE of the main table;
 * auto = SkylakeX with avx512f, Haswell with avx2, else unset), {@code --no-ab} (skip the re-run without
 * OPENBLAS_CORETYPE), {@code --sweep}/{@code --no-sweep} (averaging frequency, batch size and prefetch sweep; on by
 * default in full mode), {@code --no-cluster}, {@code --no-peers}, {@code --pairs N} (interleaved one-core pairs of
 * the job and PyTorch; default 3 in full mode, 0 in quick mode).
 */
public final class SuiteBench {

    private static final String APP_JAR = "target/sparklstm-" + BuildInfo.version() + ".jar";
    private static final String BENCH_JAR = "target/bench/sparklstm-bench.jar";
    private static final String SPARK_JARS = "target/spark-home/jars/*";
    static final double GIB_BYTES = 1024.0 * 1024 * 1024;
    /** The job's defaults: the training settings of every run come from here. */
    static final Path JOB_DEFAULTS = Path.of("conf/sparklstm.properties");
    /** The job's per-epoch log line (TrainingJob.logEpoch): its time is the epoch's end (after its evaluation). */
    private static final Pattern SCORED = Pattern.compile("^(Scored: .*)");

    private static final Pattern SCORED_FIGURES =
            Pattern.compile("Scored: +(\\d+) images in ([\\d.]+) s \\(([\\d.]+) images/s\\)");
    private static final Pattern EPOCH_LINE = Pattern.compile("Epoch (\\d+)/\\d+: loss");
    /** The driver's memory at the end of that line (JvmMemory.toString). */
    private static final Pattern EPOCH_MEMORY =
            Pattern.compile("heap (\\d+) MiB used / (\\d+) MiB committed, ND4J (\\d+) MiB, RSS (\\d+) MiB");

    private final boolean quick;
    private final String coretype; // null = unset
    private final Training defaults;
    private final int defaultEpochs;
    private final Path work;
    private final Path logs;
    private final List<String> opens;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final PrintWriter console = new PrintWriter(System.out, true);

    private SuiteBench(boolean quick, String coretype, Path work) throws IOException {
        this.quick = quick;
        this.coretype = coretype;
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(JOB_DEFAULTS, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        this.defaults = new Training(
                intProperty(p, "batch-size"),
                intProperty(p, "averaging-frequency"),
                intProperty(p, "prefetch-batches"));
        this.defaultEpochs = intProperty(p, "epochs");
        this.work = work;
        this.logs = work.resolve("logs");
        Files.createDirectories(logs);
        this.opens = Files.readAllLines(Path.of("submit/java17-opens.txt")).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = BenchSupport.args(argv);
        boolean quick = a.containsKey("quick");
        String cpuFlags = cpuinfo("flags");
        String auto = hasFlag(cpuFlags, "avx512f") ? "SkylakeX" : hasFlag(cpuFlags, "avx2") ? "Haswell" : null;
        String ct = a.getOrDefault("coretype", "auto");
        String coretype = ct.equals("auto") ? auto : ct.equals("none") ? null : ct;
        String ts = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        Path work = Path.of("target/bench-work", ts).toAbsolutePath();
        SuiteBench b = new SuiteBench(quick, coretype, work);
        boolean ab = !a.containsKey("no-ab") && coretype != null;
        boolean sweep = a.containsKey("sweep") || (!quick && !a.containsKey("no-sweep"));
        boolean cluster = !a.containsKey("no-cluster");
        if (a.containsKey("no-converge")) {
            b.console.println("bench: --no-converge ignored: (f) is (d)'s own per-epoch evaluation now");
        }

        Map<String, Object> env = new LinkedHashMap<>();
        env.put("timestamp", ts);
        env.put("mode", quick ? "quick" : "full");
        env.put(
                "commit",
                command("git", "rev-parse", "--short", "HEAD").trim()
                        + (command("git", "status", "--porcelain", "--untracked-files=no")
                                        .isBlank()
                                ? ""
                                : "+dirty"));
        env.put("cpu", cpuinfo("model name"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("avx512f", hasFlag(cpuFlags, "avx512f"));
        env.put("avx2", hasFlag(cpuFlags, "avx2"));
        env.put("memTotal", meminfo());
        env.put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
        env.put("openblasCoretype", coretype == null ? "(unset)" : coretype);
        env.put("openblasCoretypeAuto", auto == null ? "(unset)" : auto);
        env.put("java", System.getProperty("java.vm.version"));
        b.results.put("environment", env);
        Map<String, Object> jobDefaults = new LinkedHashMap<>(b.defaults.toMap());
        jobDefaults.put("epochs", b.defaultEpochs);
        jobDefaults.put("source", JOB_DEFAULTS.toString());
        b.results.put("jobDefaults", jobDefaults);
        b.console.printf(
                "bench: %s mode, commit %s, %s, %d cores, OPENBLAS_CORETYPE=%s, work dir %s%n",
                env.get("mode"),
                env.get("commit"),
                env.get("cpu"),
                env.get("cores"),
                env.get("openblasCoretype"),
                work);
        b.console.printf(
                "bench: training settings from %s: %s, %d epochs%n", JOB_DEFAULTS, b.defaults, b.defaultEpochs);

        long started = System.nanoTime();
        // Each figure and its OPENBLAS_CORETYPE-unset twin back to back, so both see the same background load.
        b.throughput("ab", b.coretype);
        if (ab) {
            b.throughput("ab_nocoretype", null);
        }
        // (c) with exactly (d)'s training settings, so that (d) / (2 x (c)) compares like with like.
        b.figure("c_local1", "local[1]", b.sliceC(), b.defaults, false, b.coretype);
        if (ab) {
            b.figure("c_local1_nocoretype", "local[1]", b.sliceC(), b.defaults, false, null);
        }
        // (d) and (f) in one run of the job: its defaults, a test-set evaluation after every epoch.
        b.figure("d_local2", "local[2]", b.sliceD(), b.defaults, true, b.coretype);
        b.scoring();
        if (!a.containsKey("no-peers")) {
            String torch = b.peers();
            int pairs = Integer.parseInt(a.getOrDefault("pairs", quick ? "0" : "3"));
            if (pairs > 0 && torch != null) {
                b.pairs(pairs, torch);
            }
        }
        if (cluster) {
            b.cluster();
        }
        if (sweep) {
            b.sweep();
        }
        env.put("benchSeconds", (System.nanoTime() - started) / 1e9);
        env.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());

        Path out = Path.of("bench/results", ts + ".json");
        BenchSupport.writeJson(out, b.results); // the raw results first: ReportBench can always re-render them
        String table = new Report(b.results).table();
        b.console.println();
        b.console.print(table);
        b.results.put("table", table);
        BenchSupport.writeJson(out, b.results);
        Files.writeString(Path.of("bench/results", ts + ".txt"), table);
        b.console.println("bench: results in " + out.toAbsolutePath() + " (logs in " + b.logs + ")");
        System.exit(0);
    }

    // ---- configurations --------------------------------------------------------------------------------------

    /** {@code --train-limit, --epochs, --test-limit} of (c): a slice, two epochs (the second is steady state). */
    private List<String> sliceC() {
        return quick
                ? List.of("--train-limit", "3200", "--epochs", "2", "--test-limit", "2000")
                : List.of("--train-limit", "12800", "--epochs", "2", "--test-limit", "10000");
    }

    /** (d)/(f): full MNIST for the job's default epochs in full mode; a slice in quick mode (3 epochs: 2.. steady). */
    private List<String> sliceD() {
        return quick ? List.of("--train-limit", "6400", "--test-limit", "2000", "--epochs", "3") : List.of();
    }

    private void throughput(String key, String core) {
        Path out = work.resolve(key + ".json");
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(opens);
        cmd.addAll(List.of(
                "-Xmx2g",
                "-cp",
                "target/test-classes:" + APP_JAR + ":" + SPARK_JARS,
                TrainThroughputBench.class.getName(),
                "--out",
                out.toString(),
                "--batch",
                Integer.toString(defaults.batch())));
        cmd.addAll(
                quick
                        ? List.of("--warmup", "3", "--timed", "8", "--rounds", "2", "--eval-batches", "4")
                        : List.of("--warmup", "5", "--timed", "20", "--rounds", "3", "--eval-batches", "8"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OPENBLAS_VERBOSE", "2");
        Map<String, Object> r = run(key, cmd, env, core);
        r.put("result", readJson(out));
        r.put("openblasCore", grepFirst(logs.resolve(key + ".log"), Pattern.compile("Core: (\\S+)")));
        results.put(key, r);
    }

    /**
     * The unmodified job through SparkSubmit, as submit/run-local.sh runs it, plus the stats listener; with
     * {@code evaluateEachEpoch} its {@code --evaluate-each-epoch} (test accuracy and evaluation time per epoch).
     */
    private Map<String, Object> job(
            String key, String master, List<String> slice, Training t, boolean evaluateEachEpoch, String core) {
        Path store = work.resolve("store-" + key); // own store: no CURRENT model to re-evaluate, no lock contention
        List<String> app = new ArrayList<>(List.of("--output", store.toString(), "--run-id", key));
        app.addAll(t.args());
        app.addAll(slice);
        if (evaluateEachEpoch) {
            app.add("--evaluate-each-epoch");
        }
        Map<String, Object> r = sparkSubmit(key, master, "io.sparklstm.cli.Main", app, core);
        r.put("settings", settings(master, t, slice, evaluateEachEpoch));
        r.put("metrics", readJson(store.resolve("runs").resolve(key).resolve("metrics.json")));
        return r;
    }

    /** {@link #job}, recorded as a figure of its own under {@code key}. */
    private void figure(
            String key, String master, List<String> slice, Training t, boolean evaluateEachEpoch, String core) {
        results.put(key, job(key, master, slice, t, evaluateEachEpoch, core));
    }

    /** What a run of the job used, for the JSON and the table. */
    private Map<String, Object> settings(String master, Training t, List<String> slice, boolean evaluateEachEpoch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("master", master);
        m.putAll(t.toMap());
        m.put("slice", String.join(" ", slice));
        int at = slice.indexOf("--epochs");
        m.put("epochs", at >= 0 ? Integer.parseInt(slice.get(at + 1)) : defaultEpochs);
        m.put("evaluateEachEpoch", evaluateEachEpoch);
        m.put("source", JOB_DEFAULTS.toString());
        return m;
    }

    /**
     * (g) batch scoring: the {@code score} command on local[2] with (d)'s model over the 60,000 MNIST training images
     * (in quick mode too: with fewer the fixed costs dominate), as submit/run-local.sh runs it. The job reports its own wall time, from reading
     * the model to the last Parquet row written, and the images per second of it.
     */
    private void scoring() {
        String key = "g_score";
        List<String> app = new ArrayList<>(List.of(
                "score",
                "--store",
                work.resolve("store-d_local2").toString(),
                "--model",
                "d_local2",
                "--input",
                "data/mnist/train-images-idx3-ubyte",
                "--labels",
                "data/mnist/train-labels-idx1-ubyte",
                "--output",
                work.resolve("g_scores").toString()));
        Map<String, Object> r = sparkSubmit(key, "local[2]", "io.sparklstm.cli.Main", app, coretype);
        String scored = grepFirst(logs.resolve(key + ".log"), SCORED);
        if (scored != null) {
            Matcher m = SCORED_FIGURES.matcher(scored);
            if (m.find()) {
                r.put("images", Long.parseLong(m.group(1)));
                r.put("seconds", Double.parseDouble(m.group(2)));
                r.put("imagesPerSecond", Double.parseDouble(m.group(3)));
            }
        }
        r.put("accuracy", grepFirst(logs.resolve(key + ".log"), Pattern.compile("^Accuracy: (\\S+)")));
        results.put(key, r);
    }

    /**
     * glibc malloc settings for the peers' Pythons: keep freed memory instead of handing it back to the kernel. With
     * glibc's defaults PyTorch's CPU allocator returns each minibatch's large tensors with munmap/trim and faults them
     * in again on the next one; on the 2-core Zen 5 VM of 2026-12-03 that made its single thread bimodal, 440-630 or
     * 2,000-2,250 samples/s from run to run with the same losses (the slow runs had 5x the minor page faults and 6x
     * the system time), and with these settings it measured 2,050-2,210 five times in a row. PyTorch's own CPU tuning
     * guide recommends the same thing through jemalloc or tcmalloc; these are glibc's built-in equivalents.
     */
    static final Map<String, String> PEER_MALLOC = Map.of(
            "MALLOC_MMAP_THRESHOLD_",
            "33554432",
            "MALLOC_TRIM_THRESHOLD_",
            "4294967296",
            "MALLOC_TOP_PAD_",
            "268435456");

    /**
     * (h) peers: the same network on PyTorch CPU and on Keras 3 / TensorFlow CPU, each with one and with two threads,
     * on (c)'s slice, batch and optimizer (bench/peers/*.py). The Python comes from bench/peers/setup.sh (a venv with
     * the official CPU builds, from whatever package source this machine's pip reaches), else from a python3 that
     * already imports the framework (Debian's python3-torch is a generic build); a framework none of them imports is
     * skipped with one line saying why.
     */
    private String peers() {
        Map<String, Object> peers = new LinkedHashMap<>();
        List<String> pythons = new ArrayList<>();
        String venv = command("bench/peers/setup.sh", "target/peers-venv").trim();
        if (venv.endsWith("/python")) {
            pythons.add(venv);
        } else {
            peers.put("setup", venv.isEmpty() ? "bench/peers/setup.sh failed" : lastLineOf(venv));
        }
        pythons.add("python3");
        pythons.add("/usr/bin/python3");
        String torchPython = null;
        for (String framework : List.of("pytorch", "keras")) {
            String module = framework.equals("pytorch") ? "torch" : "keras";
            String python = pythons.stream()
                    .filter(py -> command(py, "-c", "import " + module + "; print('ok')")
                            .trim()
                            .endsWith("ok"))
                    .findFirst()
                    .orElse(null);
            if (python == null) {
                String why = "skipped: no python here imports " + module + " ("
                        + peers.getOrDefault("setup", "setup.sh's venv lacks it") + ")";
                peers.put(framework, Map.of("status", why));
                console.println("bench: (h) " + framework + " " + why);
                continue;
            }
            for (int threads : new int[] {1, 2}) {
                peers.put(
                        framework + "_" + threads, peer("h_" + framework + "_" + threads, python, framework, threads));
            }
            if (framework.equals("pytorch")) {
                torchPython = python;
            }
        }
        results.put("h_peers", peers);
        return torchPython;
    }

    /** One run of bench/peers/FRAMEWORK_lstm.py on (c)'s slice, batch and epochs, with {@code threads} threads. */
    private Map<String, Object> peer(String key, String python, String framework, int threads) {
        List<String> cmd = List.of(
                python,
                "bench/peers/" + framework + "_lstm.py",
                "--data",
                "data/mnist",
                "--threads",
                Integer.toString(threads),
                "--train-limit",
                sliceC().get(1),
                "--batch",
                Integer.toString(defaults.batch()),
                "--epochs",
                "2");
        Map<String, String> env = new LinkedHashMap<>(PEER_MALLOC);
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        Map<String, Object> r = run(key, cmd, env, null);
        r.put("python", python);
        r.put("env", env);
        r.put("result", readJson(lastLine(logs.resolve(key + ".log"))));
        return r;
    }

    /**
     * (i) the one-core comparison again as {@code n} interleaved pairs: (c)'s job run, then PyTorch with one thread
     * right after it. This machine's speed drifts by 10-25 % within minutes, and PyTorch's with it; a ratio of two
     * runs minutes apart (c, h) carries that drift, the median ratio of back-to-back pairs much less of it.
     */
    private void pairs(int n, String python) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String job = "i_job_" + i;
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("job", job(job, "local[1]", sliceC(), defaults, false, coretype));
            pair.put("pytorch", peer("i_pytorch_" + i, python, "pytorch", 1));
            list.add(pair);
        }
        results.put("i_pairs", list);
    }

    private static String lastLineOf(String text) {
        String[] lines = text.trim().split("\n");
        return lines[lines.length - 1];
    }

    /** The last line of a file, as a temporary JSON file's path for readJson; null when there is none. */
    private Path lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            Path json = work.resolve(log.getFileName() + ".json");
            Files.writeString(json, lines.isEmpty() ? "" : lines.get(lines.size() - 1));
            return json;
        } catch (IOException e) {
            return work.resolve("missing.json");
        }
    }

    /**
     * (e) the standalone cluster of submit/local-cluster.sh (MiniDFS, a Master, one Worker JVM per executor) with 2
     * executors and with 1, each 1 core, the job's defaults for 2 epochs: the executors' memory, and the per-round
     * timings that calibrate docs/scaling.md's model. The bench's Spark listener is attached through a copy of conf/
     * (CONF_DIR) whose spark-defaults.conf adds it, with the bench jar in spark.jars.
     */
    private void cluster() {
        Path script = Path.of("submit/local-cluster.sh");
        if (!Files.isRegularFile(script)) {
            results.put("e_cluster", Map.of("status", "n/a (cluster path not merged)"));
            console.println("bench: (e) n/a (cluster path not merged: no submit/local-cluster.sh)");
            return;
        }
        for (int executors : new int[] {2, 1}) {
            String key = executors == 2 ? "e_cluster" : "e_cluster1";
            Path store = work.resolve(key + "-store");
            Path stats = work.resolve(key + ".stats.json");
            List<String> cmd =
                    new ArrayList<>(List.of("bash", script.toString(), "--output", "file:" + store, "--run-id", key));
            cmd.addAll(defaults.args());
            // one worker per executor core: Spark's default parallelism is at least 2, which would run two workers
            // one after the other on a single core
            List<String> slice = new ArrayList<>(List.of("--workers", Integer.toString(executors), "--epochs", "2"));
            if (quick) {
                slice.addAll(List.of("--train-limit", "6400", "--test-limit", "2000"));
            }
            cmd.addAll(slice);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("RUN_ROOT", work.resolve("local-cluster").toString());
            env.put("MVN", "mvn -o");
            env.put("WORKERS", Integer.toString(executors));
            env.put("CONF_DIR", listenerConf(key, stats).toString());
            Map<String, Object> r = run(key, cmd, env, coretype);
            r.put("settings", settings("standalone " + executors + "x1", defaults, slice, false));
            r.put("metrics", readJson(store.resolve("runs/" + key + "/metrics.json")));
            r.put("stats", readJson(stats));
            results.put(key, r);
        }
    }

    /** A copy of conf/ whose spark-defaults.conf also attaches the bench's listener, writing to {@code stats}. */
    private Path listenerConf(String key, Path stats) {
        Path dir = work.resolve(key + "-conf");
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(Path.of("conf"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.writeString(
                    dir.resolve("spark-defaults.conf"),
                    "\n# added by the bench\n"
                            + "spark.extraListeners " + BenchStatsListener.class.getName() + "\n"
                            + "spark.jars " + Path.of(BENCH_JAR).toAbsolutePath() + "\n"
                            + "spark.sparklstm.bench.stats " + stats + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Averaging frequency (half, default, double), batch size (half, default, double) and prefetch (the default and 0,
     * or 2 if the default is 0), one at a time around the job's defaults, on local[2], with a local[1] reference per
     * batch size (at the default frequency and prefetch) for the parallel efficiency.
     */
    private void sweep() {
        List<String> slice = List.of("--train-limit", quick ? "6400" : "9600", "--epochs", "2", "--test-limit", "2000");
        Training d = defaults;
        List<Training> batches = List.of(d.withBatch(Math.max(1, d.batch() / 2)), d, d.withBatch(d.batch() * 2));
        List<Map.Entry<String, Training>> configs = new ArrayList<>();
        batches.forEach(t -> configs.add(Map.entry("local[1]", t)));
        configs.add(Map.entry("local[2]", d));
        configs.add(Map.entry("local[2]", d.withFreq(Math.max(1, d.freq() / 2))));
        configs.add(Map.entry("local[2]", d.withFreq(d.freq() * 2)));
        configs.add(Map.entry("local[2]", batches.get(0)));
        configs.add(Map.entry("local[2]", batches.get(2)));
        configs.add(Map.entry("local[2]", d.withPrefetch(d.prefetch() == 0 ? 2 : 0)));
        Map<String, Object> s = new LinkedHashMap<>();
        for (Map.Entry<String, Training> c : configs) {
            Training t = c.getValue();
            String key = String.format(
                    Locale.ROOT,
                    "sweep_%s_b%d_f%d_p%d",
                    c.getKey().replaceAll("[\\[\\]]", ""),
                    t.batch(),
                    t.freq(),
                    t.prefetch());
            if (!s.containsKey(key)) { // a halved value may coincide with another (e.g. frequency 1)
                s.put(key, job(key, c.getKey(), slice, t, false, coretype));
            }
        }
        results.put("sweep", s);
    }

    /** The job's training settings the bench passes explicitly: its defaults, or one of them varied (sweep). */
    record Training(int batch, int freq, int prefetch) {

        List<String> args() {
            return List.of(
                    "--batch-size",
                    Integer.toString(batch),
                    "--averaging-frequency",
                    Integer.toString(freq),
                    "--prefetch-batches",
                    Integer.toString(prefetch));
        }

        Training withBatch(int b) {
            return new Training(b, freq, prefetch);
        }

        Training withFreq(int f) {
            return new Training(batch, f, prefetch);
        }

        Training withPrefetch(int p) {
            return new Training(batch, freq, p);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batchSize", batch);
            m.put("averagingFrequency", freq);
            m.put("prefetchBatches", prefetch);
            return m;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT, "batch %d, averaging every %d batches, prefetch %d", batch, freq, prefetch);
        }
    }

    private Map<String, Object> sparkSubmit(
            String key, String master, String mainClass, List<String> appArgs, String core) {
        Path stats = work.resolve(key + ".stats.json");
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(opens);
        // The JVM settings of submit/run-local.sh.
        cmd.addAll(
                List.of("-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G"));
        if (Files.isRegularFile(Path.of("conf/log4j2.properties"))) {
            cmd.add("-Dlog4j2.configurationFile="
                    + Path.of("conf/log4j2.properties").toAbsolutePath());
        }
        cmd.addAll(List.of(
                "-cp",
                SPARK_JARS,
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                master,
                "--jars",
                BENCH_JAR,
                "--conf",
                "spark.extraListeners=" + BenchStatsListener.class.getName(),
                "--conf",
                "spark.sparklstm.bench.stats=" + stats,
                "--class",
                mainClass,
                APP_JAR));
        cmd.addAll(appArgs);
        Map<String, Object> r = run(key, cmd, new LinkedHashMap<>(), core);
        r.put("stats", readJson(stats));
        return r;
    }

    // ---- running and watching children -----------------------------------------------------------------------

    /** Runs one child (output to logs/KEY.log), polling the memory of it and every descendant JVM. */
    private Map<String, Object> run(String key, List<String> cmd, Map<String, String> extraEnv, String core) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("openblasCoretype", core == null ? "(unset)" : core);
        console.printf("bench: %-34s OPENBLAS_CORETYPE=%-9s ", key, core == null ? "(unset)" : core);
        console.flush();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("OMP_NUM_THREADS", "1");
        env.remove("OPENBLAS_CORETYPE");
        if (core != null) {
            env.put("OPENBLAS_CORETYPE", core);
        }
        env.putAll(extraEnv);
        Path log = logs.resolve(key + ".log");
        Map<Integer, Long> epochEndMs = new ConcurrentHashMap<>();
        Map<Integer, Map<String, Object>> epochLog = new ConcurrentHashMap<>();
        Map<Long, ProcWatch> watched = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        long[] cpu0 = cpuJiffies();
        int exit;
        try {
            Process p = pb.start();
            Thread pump = new Thread(() -> pump(p, log, epochEndMs, epochLog), "pump-" + key);
            pump.start();
            while (p.isAlive()) {
                poll(p.toHandle(), watched);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            exit = p.waitFor();
            pump.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] cpu1 = cpuJiffies();
        // Machine busy time minus what this process and its reaped children (the run's whole process tree) used.
        double busy = (cpu1[0] - cpu0[0]) / CLK_TCK, ours = (cpu1[1] - cpu0[1]) / CLK_TCK;
        r.put("cpuSecondsRun", ours);
        r.put("cpuSecondsOthers", Math.max(0, busy - ours));
        r.put("otherCoresBusy", Math.max(0, busy - ours) / seconds);
        r.put("exitCode", exit);
        r.put("wallSeconds", seconds);
        r.put("log", log.toString());
        r.put("epochEndMs", new java.util.TreeMap<>(epochEndMs));
        if (!epochLog.isEmpty()) {
            r.put("epochLog", new java.util.TreeMap<>(epochLog));
        }
        List<Map<String, Object>> procs = new ArrayList<>();
        for (ProcWatch w : watched.values()) {
            if (w.rss.size() < 3) {
                continue; // a fork caught before its exec (Hadoop's shell commands): shares the parent's memory
            }
            procs.add(w.summary(new java.util.TreeMap<>(epochEndMs)));
        }
        r.put("processes", procs);
        console.printf(
                "exit %d, %.0f s, other processes used %.2f cores meanwhile%n",
                exit, seconds, Math.max(0, busy - ours) / seconds);
        if (exit != 0) {
            console.println("bench:   FAILED, see " + log);
        }
        return r;
    }

    /**
     * Copies the child's output to its log; timestamps the job's epoch lines and keeps the driver memory they report
     * (MiB, as logged: heap used and committed, ND4J's own count of its off-heap memory, RSS), plus the child JVM's
     * resident memory outside its Java heap from /proc (bytes).
     */
    private static void pump(
            Process p, Path log, Map<Integer, Long> epochEndMs, Map<Integer, Map<String, Object>> epochLog) {
        long[] heap = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) { // autoflush: tail -f works
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                Matcher m = EPOCH_LINE.matcher(line);
                if (m.find()) {
                    int epoch = Integer.parseInt(m.group(1));
                    long now = System.currentTimeMillis();
                    epochEndMs.put(epoch, now);
                    Matcher mem = EPOCH_MEMORY.matcher(line);
                    if (mem.find(m.end())) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("timeMs", now);
                        e.put("heapUsedMiB", Long.parseLong(mem.group(1)));
                        e.put("heapCommittedMiB", Long.parseLong(mem.group(2)));
                        e.put("nd4jMiB", Long.parseLong(mem.group(3)));
                        e.put("rssMiB", Long.parseLong(mem.group(4)));
                        heap = heap != null ? heap : BenchSupport.heapRange(p.pid());
                        if (heap != null) {
                            e.put("residentOutsideHeapBytes", BenchSupport.residentOutsideHeap(p.pid(), heap));
                        }
                        epochLog.put(epoch, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void poll(ProcessHandle root, Map<Long, ProcWatch> watched) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        try (Stream<ProcessHandle> d = root.descendants()) {
            d.forEach(all::add);
        }
        long now = System.currentTimeMillis();
        for (ProcessHandle h : all) {
            ProcWatch w = watched.get(h.pid());
            if (w == null) {
                String role = role(h.pid());
                if (role == null) {
                    continue;
                }
                w = new ProcWatch(h.pid(), role);
                watched.put(h.pid(), w);
            }
            w.sample(now);
        }
    }

    /** The role of a JVM by its command line, null for anything that is not a JVM. */
    private static String role(long pid) {
        String cmdline;
        try {
            cmdline = new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return null;
        }
        String exe = cmdline.split(" ", 2)[0];
        if (!exe.endsWith("java")) {
            return null;
        }
        if (cmdline.contains("CoarseGrainedExecutorBackend")) {
            return "executor";
        }
        if (cmdline.contains("org.apache.spark.deploy.SparkSubmit")) {
            return "driver";
        }
        if (cmdline.contains("TrainThroughputBench")) {
            return "bench";
        }
        if (cmdline.contains("deploy.master.Master")) {
            return "master";
        }
        if (cmdline.contains("deploy.worker.Worker")) {
            return "worker";
        }
        if (cmdline.contains("MiniHdfs")) {
            return "hdfs";
        }
        return "other";
    }

    /** VmHWM/VmRSS of one process over its life. */
    private static final class ProcWatch {
        final long pid;
        final String role;
        long hwm = -1;
        final List<long[]> rss = new ArrayList<>(); // {timeMs, rssBytes}

        ProcWatch(long pid, String role) {
            this.pid = pid;
            this.role = role;
        }

        void sample(long now) {
            long h = BenchSupport.procStatusBytes(pid, "VmHWM");
            long r = BenchSupport.procStatusBytes(pid, "VmRSS");
            if (h > 0) {
                hwm = Math.max(hwm, h);
            }
            if (r > 0) {
                rss.add(new long[] {now, r});
            }
        }

        Map<String, Object> summary(Map<Integer, Long> epochEnds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("role", role);
            m.put("peakRssBytes", hwm);
            Map<Integer, Long> atEpoch = new LinkedHashMap<>();
            for (Map.Entry<Integer, Long> e : epochEnds.entrySet()) {
                long best = -1;
                for (long[] s : rss) {
                    if (s[0] <= e.getValue() + 300) {
                        best = s[1];
                    }
                }
                if (best > 0) {
                    atEpoch.put(e.getKey(), best);
                }
            }
            m.put("rssAtEpochEndBytes", atEpoch);
            return m;
        }
    }

    // ---- small helpers ---------------------------------------------------------------------------------------

    private static final double CLK_TCK = 100.0; // USER_HZ on Linux

    /**
     * {machine busy jiffies (all CPUs, /proc/stat), jiffies of this JVM plus its reaped children (/proc/self/stat
     * utime+stime+cutime+cstime)}.
     */
    private static long[] cpuJiffies() {
        try {
            String[] cpu =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(cpu[i]);
                }
            }
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long self = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new long[] {busy, self};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static int intProperty(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(JOB_DEFAULTS + " has no " + key);
        }
        return Integer.parseInt(v.trim());
    }

    private static JsonNode readJson(Path file) {
        try {
            return Files.isRegularFile(file) ? BenchSupport.JSON.readTree(file.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String grepFirst(Path file, Pattern p) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(p::matcher)
                    .filter(Matcher::find)
                    .map(m -> m.group(1))
                    .findFirst()
                    .orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    private static String cpuinfo(String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith(field))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean hasFlag(String flags, String flag) {
        return (" " + flags + " ").contains(" " + flag + " ");
    }

    private static String meminfo() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal"))
                    .map(l -> l.substring(9).trim())
                    .findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
