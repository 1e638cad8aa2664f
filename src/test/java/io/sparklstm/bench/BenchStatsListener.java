package io.sparklstm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * A Spark listener the benchmark attaches to the unmodified job ({@code --conf spark.extraListeners=...}, class shipped
 * with {@code --jars}): per Spark job its description (the job names its training jobs "train epoch N" and its
 * evaluation "evaluate on ..."), submission/completion time and the summed task metrics (run time, deserialization,
 * result serialization, GC); at the end of every training job, the driver's memory (RSS, heap, JavaCPP-tracked native
 * bytes; in local mode the executors live in the driver JVM). Written as JSON to {@code spark.sparklstm.bench.stats}
 * when the application ends.
 */
public final class BenchStatsListener extends SparkListener {

    private final String out;
    private final Map<Integer, Map<String, Object>> jobs = new LinkedHashMap<>();
    private final Map<Integer, Integer> stageToJob = new HashMap<>();
    private final Map<String, Map<String, Object>> epochEnds = new LinkedHashMap<>();
    private boolean written;

    public BenchStatsListener(SparkConf conf) {
        this.out = conf.get("spark.sparklstm.bench.stats", null);
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart event) {
        Map<String, Object> job = new LinkedHashMap<>();
        Properties p = event.properties();
        job.put("jobId", event.jobId());
        job.put("group", p == null ? null : p.getProperty("spark.jobGroup.id"));
        job.put("description", p == null ? null : p.getProperty("spark.job.description"));
        job.put("submitMs", event.time());
        job.put("tasks", 0);
        job.put("runMs", 0L);
        job.put("maxRunMs", 0L);
        job.put("cpuMs", 0L);
        job.put("deserializeMs", 0L);
        job.put("resultSerializationMs", 0L);
        job.put("gcMs", 0L);
        job.put("executors", new ArrayList<String>());
        jobs.put(event.jobId(), job);
        scala.collection.Iterator<Object> it = event.stageIds().iterator();
        while (it.hasNext()) {
            stageToJob.put((Integer) it.next(), event.jobId());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
        Integer jobId = stageToJob.get(event.stageId());
        Map<String, Object> job = jobId == null ? null : jobs.get(jobId);
        TaskMetrics m = event.taskMetrics();
        if (job == null || m == null) {
            return;
        }
        job.merge("tasks", 1, (x, y) -> (Integer) x + (Integer) y);
        job.merge("runMs", m.executorRunTime(), (x, y) -> (Long) x + (Long) y);
        job.merge("maxRunMs", m.executorRunTime(), (x, y) -> Math.max((Long) x, (Long) y));
        job.merge("cpuMs", m.executorCpuTime() / 1_000_000L, (x, y) -> (Long) x + (Long) y);
        job.merge("deserializeMs", m.executorDeserializeTime(), (x, y) -> (Long) x + (Long) y);
        job.merge("resultSerializationMs", m.resultSerializationTime(), (x, y) -> (Long) x + (Long) y);
        job.merge("gcMs", m.jvmGCTime(), (x, y) -> (Long) x + (Long) y);
        List<String> executors = (List<String>) job.get("executors");
        if (!executors.contains(event.taskInfo().executorId())) {
            executors.add(event.taskInfo().executorId());
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd event) {
        Map<String, Object> job = jobs.get(event.jobId());
        if (job == null) {
            return;
        }
        job.put("endMs", event.time());
        Object description = job.get("description");
        if (description instanceof String d && d.startsWith("epoch ") && d.contains(" · round ")) {
            Map<String, Object> sample = new LinkedHashMap<>(BenchSupport.nativeMemory());
            sample.put("timeMs", System.currentTimeMillis());
            epochEnds.put(d.substring("epoch ".length(), d.indexOf('/')), sample); // the last round's sample wins
        }
    }

    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd event) {
        write();
    }

    private synchronized void write() {
        if (written || out == null) {
            return;
        }
        written = true;
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("jobs", new ArrayList<>(jobs.values()));
        all.put("epochEnds", epochEnds);
        all.put("driverPid", BenchSupport.selfPid());
        all.put("driverEnd", BenchSupport.nativeMemory());
        BenchSupport.writeJson(Path.of(out), all);
    }
}
