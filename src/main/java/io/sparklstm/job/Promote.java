package io.sparklstm.job;

import io.sparklstm.store.RunStore;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage: {@code CURRENT} names the published run when the quality gate let it through. */
final class Promote {

    private static final Logger log = LoggerFactory.getLogger(Promote.class);

    /**
     * @param reason the gate's reason, for the log
     * @return whether the run was promoted
     */
    boolean run(RunStore store, String runId, boolean promote, String reason) throws IOException {
        if (promote) {
            store.promote(runId);
        } else {
            log.warn("Run {} is kept but NOT promoted: {}", runId, reason);
        }
        return promote;
    }
}
