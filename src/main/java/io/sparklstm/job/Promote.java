package io.sparklstm.job;

import io.sparklstm.evaluate.QualityGate;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stage: {@code CURRENT} names the published run when the quality gate let it through. */
final class Promote {

    private static final Logger log = LoggerFactory.getLogger(Promote.class);

    /** @return whether the run was promoted */
    boolean run(RunPlan plan, QualityGate.Decision gate) throws IOException {
        if (gate.promote()) {
            plan.store().promote(plan.runId());
        } else {
            log.warn("Run {} is kept but NOT promoted: {}", plan.runId(), gate.reason());
        }
        return gate.promote();
    }
}
