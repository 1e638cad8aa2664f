package io.sparklstm.job;

import io.sparklstm.config.JobParams;
import java.io.IOException;

/** Stage: the run's scratch space (staged minibatches, checkpoints) removed, then retention ({@code --keep-runs}). */
final class CleanUp {

    void run(RunPlan plan) throws IOException {
        plan.store().discardWork(plan.runId());
        plan.store().prune(plan.config().get(JobParams.KEEP_RUNS));
    }
}
