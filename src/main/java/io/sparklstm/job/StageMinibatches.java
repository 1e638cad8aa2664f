package io.sparklstm.job;

import io.sparklstm.config.JobParams;
import io.sparklstm.data.MinibatchStager;
import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/** Stage: the executors cut both splits into minibatch files under {@code _work/<run-id>/} (one Spark job each). */
final class StageMinibatches {

    /** Test minibatch size: evaluation is forward-only, so larger batches amortise per-call overhead. */
    static final int EVAL_BATCH_SIZE = 256;

    private final JavaSparkContext sc;

    StageMinibatches(JavaSparkContext sc) {
        this.sc = sc;
    }

    StagedData run(RunPlan plan) throws IOException {
        Path work = plan.store().prepareWork(plan.runId());
        MinibatchStager stager = new MinibatchStager(sc, plan.store().fileSystem());
        return new StagedData(
                stager.stage(
                        plan.inputs().train(),
                        plan.config().get(JobParams.TRAIN_LIMIT),
                        plan.config().get(JobParams.BATCH_SIZE),
                        new Path(work, "train")),
                stager.stage(
                        plan.inputs().test(),
                        plan.config().get(JobParams.TEST_LIMIT),
                        EVAL_BATCH_SIZE,
                        new Path(work, "test")));
    }
}
