package io.sparklstm.job;

import io.sparklstm.common.BadInputException;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.store.RunStore;
import io.sparklstm.train.TrainingSettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The first stage: every check of user input, store state, warm-start source and checkpoint compatibility, before a
 * single byte is written under {@code --output}. A refused run therefore leaves the store exactly as it was: no lock,
 * no scratch space. Read-only; the same checks that can change while waiting for the lock run again under it
 * ({@link #recheckUnderLock}).
 */
final class Preflight {

    private final Configuration hadoop;
    private final int defaultParallelism;

    Preflight(Configuration hadoop, int defaultParallelism) {
        this.hadoop = hadoop;
        this.defaultParallelism = defaultParallelism;
    }

    /** @param store the store the configuration names ({@link #store}) */
    RunPlan check(JobConfig requested, RunStore store) throws IOException {
        MnistInputs inputs = MnistInputs.inspect(
                requested.get(JobParams.DATA),
                hadoop,
                requested.get(JobParams.TRAIN_LIMIT),
                requested.get(JobParams.TEST_LIMIT));
        store.checkWritable(requested.runId(), requested.get(JobParams.OVERWRITE));
        store.checkState();
        refuseOverwritingCurrent(requested, store);
        TrainingSettings settings = TrainingSettings.from(requested, defaultParallelism);
        JobConfig config =
                requested.toBuilder().set(JobParams.WORKERS, settings.workers()).build();
        WarmStart warmStart = WarmStart.resolve(config, store, hadoop);
        RunPlan plan = new RunPlan(config, inputs, store, warmStart, settings, fingerprint(config, inputs));
        store.checkpoints(plan.runId()).checkCompatible(plan.fingerprint());
        return plan;
    }

    /**
     * {@code --overwrite} of the run {@code CURRENT} names could replace a promoted model with one the quality gate
     * refuses, or leave {@code CURRENT} naming a run that is being replaced: refused, use another run id.
     */
    private static void refuseOverwritingCurrent(JobConfig config, RunStore store) throws IOException {
        if (config.get(JobParams.OVERWRITE)
                && store.current().filter(config.runId()::equals).isPresent()) {
            throw new BadInputException("option --overwrite: run " + config.runId() + " is the promoted run (CURRENT)"
                    + " of " + store.root() + "; it is never replaced, train under another --run-id");
        }
    }

    /** The store the configuration names. */
    RunStore store(JobConfig config) throws IOException {
        return RunStore.at(config.get(JobParams.OUTPUT), hadoop, config.get(JobParams.PERMISSIONS));
    }

    /** Once the lock is held: another run may have published this run id or saved checkpoints meanwhile. */
    void recheckUnderLock(RunPlan plan) throws IOException {
        plan.store().checkWritable(plan.runId(), plan.config().get(JobParams.OVERWRITE));
        plan.store().checkpoints(plan.runId()).checkCompatible(plan.fingerprint());
    }

    private static Map<String, Object> fingerprint(JobConfig config, MnistInputs inputs) {
        Map<String, Object> fingerprint = new LinkedHashMap<>(config.weightShaping());
        fingerprint.put("inputSha256", inputs.sha256ByFile().values());
        return fingerprint;
    }
}
