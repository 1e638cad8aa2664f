package io.sparklstm.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path of a rerun after an attempt that published its run but stopped before finishing (killed after the rename,
 * during the promotion, retention or clean-up): nothing is trained again; the gate's decision recorded before the
 * rename is carried out, then the clean-up, and the exit code is the one the uninterrupted run would have had.
 */
final class FinishPublication {

    private static final Logger log = LoggerFactory.getLogger(FinishPublication.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    TrainingJob.Result run(JobConfig config, RunStore store, boolean promote) throws IOException {
        String runId = config.runId();
        log.info(
                "Run {} was published by an earlier attempt that did not finish: finishing it (promote: {})",
                runId,
                promote);
        RunMetrics metrics = JSON.treeToValue(store.metrics(runId), RunMetrics.class);
        boolean promoted =
                new Promote().run(store, runId, promote, metrics.gate().reason());
        new CleanUp().run(store, runId, config.get(JobParams.KEEP_RUNS));
        return new TrainingJob.Result(store.runDir(runId), metrics, promoted);
    }
}
