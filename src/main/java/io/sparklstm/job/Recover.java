package io.sparklstm.job;

import io.sparklstm.config.JobConfig;
import io.sparklstm.store.RunLock;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Before anything else, under the store's lock and only when there is something to recover: the state an earlier
 * attempt of the same run id left when it was killed. A run published but not finished is finished
 * ({@link FinishPublication}: the result is the run's); a run moved aside by an interrupted {@code --overwrite} is put
 * back, and the new attempt proceeds as if the overwrite had not started.
 */
final class Recover {

    private final String applicationId;

    Recover(String applicationId) {
        this.applicationId = applicationId;
    }

    Optional<TrainingJob.Result> run(JobConfig config, RunStore store) throws IOException {
        String runId = config.runId();
        if (store.unfinishedPublication(runId).isEmpty() && !store.hasReplacedRun(runId)) {
            return Optional.empty();
        }
        try (RunLock lock = store.lock(runId, applicationId, TrainingJob.LOCK_LEASE)) {
            Optional<Boolean> promote = store.unfinishedPublication(runId);
            if (promote.isPresent()) {
                lock.verifyHeld();
                return Optional.of(new FinishPublication().run(config, store, promote.get()));
            }
            store.restoreReplaced(runId);
            return Optional.empty();
        }
    }
}
