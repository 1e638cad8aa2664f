package io.sparklstm.job;

import io.sparklstm.common.FaultInjection;
import io.sparklstm.store.RunStore;
import java.io.IOException;

/**
 * Stage: retention ({@code --keep-runs}), leftovers of an interrupted promotion, and last the run's scratch space
 * (staged minibatches, checkpoints, the publication record). Removing the scratch space last means a crash anywhere
 * in this stage leaves the record a rerun needs to finish it.
 */
final class CleanUp {

    void run(RunStore store, String runId, int keepRuns) throws IOException {
        store.prune(keepRuns);
        store.removePromotionLeftovers();
        FaultInjection.at("cleanup-before-discard");
        store.discardWork(runId);
    }
}
