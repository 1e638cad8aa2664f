package io.sparklstm.observe;

/**
 * Names for the Spark jobs a run starts, so that an operator finds them in the Spark UI and can cancel them: every
 * job carries a description naming its stage ({@code "epoch 3/10 · round 12/47"}, {@code "evaluate run X"}) and the
 * run's job tag, {@code sparklstm-run-<run-id>} ({@code SparkContext.cancelJobsWithTag} takes it).
 */
public final class JobLabels {

    /** Prefix of the run's job tag. */
    public static final String TAG_PREFIX = "sparklstm-run-";

    private JobLabels() {}

    /** The job tag of a run. */
    public static String runTag(String runId) {
        return TAG_PREFIX + runId;
    }
}
