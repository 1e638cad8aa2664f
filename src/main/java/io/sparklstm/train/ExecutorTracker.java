package io.sparklstm.train;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Records which executors ran successful tasks of the jobs in one Spark job group: the evidence that training really
 * was spread over the workers, stored in the run's metrics.
 */
public final class ExecutorTracker extends SparkListener {

    private static final String JOB_GROUP = "spark.jobGroup.id";

    private final String jobGroup;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> executors = new ConcurrentHashMap<>();

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
        if (stages.contains(event.stageId()) && event.taskInfo().successful()) {
            executors.put(event.taskInfo().executorId(), Boolean.TRUE);
        }
    }

    /** Ids of the executors that completed tasks of the group so far ("driver" in local mode). */
    public SortedSet<String> executors() {
        return new TreeSet<>(executors.keySet());
    }
}
