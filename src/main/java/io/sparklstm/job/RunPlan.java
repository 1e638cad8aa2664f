package io.sparklstm.job;

import io.sparklstm.config.JobConfig;
import io.sparklstm.data.MnistInputs;
import io.sparklstm.store.RunStore;
import io.sparklstm.train.TrainingSettings;
import java.util.Map;

/**
 * Everything {@link Preflight} checked, for the stages that follow: nothing in it has been written anywhere yet.
 *
 * @param config      the effective configuration ({@code --workers} resolved)
 * @param inputs      the validated input files
 * @param store       the model store
 * @param warmStart   where the initial weights come from
 * @param settings    the distributed-training settings
 * @param fingerprint what a checkpoint must have been made with to be resumed: every weight-shaping option and the
 *                    inputs' SHA-256
 */
record RunPlan(
        JobConfig config,
        MnistInputs inputs,
        RunStore store,
        WarmStart warmStart,
        TrainingSettings settings,
        Map<String, Object> fingerprint) {

    String runId() {
        return config.runId();
    }
}
