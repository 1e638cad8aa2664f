package io.sparklstm.train;

import io.sparklstm.observe.LiveMetrics;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Records which executors ran successful tasks of the jobs in one Spark job group (the evidence that training really
 * was spread over the workers), how many task attempts of the group failed and were retried, and which executors were
 * lost while it ran: stored in the run's metrics and provenance.
 */
public final class ExecutorTracker extends SparkListener {

    private static final String JOB_GROUP = "spark.jobGroup.id";

    private final String jobGroup;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> executors = new ConcurrentHashMap<>();
    private final Map<String, String> lost = new ConcurrentHashMap<>();
    private final AtomicInteger failedAttempts = new AtomicInteger();

    public ExecutorTracker(String jobGroup) {
        this.jobGroup = jobGroup;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        if (event.properties() != null && jobGroup.equals(event.properties().getProperty(JOB_GROUP))) {
            stages.add(event.stageInfo().stageId());
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        if (stages.contains(event.stageId())) {
            if (event.taskInfo().successful()) {
                executors.put(event.taskInfo().executorId(), Boolean.TRUE);
            } else {
                failedAttempts.incrementAndGet();
            }
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
        lost.put(event.executorId(), event.reason());
        LiveMetrics.get().executorLost();
    }

    /** Executors removed while the group ran (killed, lost, decommissioned), with Spark's reason. */
    public SortedMap<String, String> lostExecutors() {
        return new TreeMap<>(lost);
    }

    /** Task attempts of the group that failed (Spark retried them, or the job failed). */
    public int failedTaskAttempts() {
        return failedAttempts.get();
    }

    /** Ids of the executors that completed tasks of the group so far ("driver" in local mode). */
    public SortedSet<String> executors() {
        return new TreeSet<>(executors.keySet());
    }
}
