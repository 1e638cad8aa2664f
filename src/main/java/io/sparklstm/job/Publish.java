package io.sparklstm.job;

import io.sparklstm.common.BuildInfo;
import io.sparklstm.store.Provenance;
import java.io.IOException;
import java.time.Instant;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage: the run's model, metrics, configuration and provenance written under scratch space with {@code _SUCCESS}
 * last, then renamed into {@code runs/<run-id>} in one step.
 */
final class Publish {

    private static final Logger log = LoggerFactory.getLogger(Publish.class);

    private final JavaSparkContext sc;
    private final String startedAt;

    Publish(JavaSparkContext sc, String startedAt) {
        this.sc = sc;
        this.startedAt = startedAt;
    }

    /**
     * The published run.
     *
     * @param dir     where it is
     * @param metrics its metrics, including the gate's decision
     */
    record Published(Path dir, RunMetrics metrics) {}

    Published run(RunPlan plan, StagedData data, Trained trained, Evaluation evaluation) throws IOException {
        RunMetrics metrics = RunMetrics.of(
                plan.runId(),
                evaluation.report(),
                data.train().examples(),
                trained.epochs(),
                plan.settings().workers(),
                trained.executors(),
                evaluation.gate());
        Provenance provenance = new Provenance(
                plan.runId(),
                plan.inputs().sha256ByFile(),
                plan.config().asMap(),
                BuildInfo.versions(sc.version()),
                sc.master(),
                sc.sc().applicationId(),
                startedAt,
                Instant.now().toString(),
                trained.resumedFromEpoch(),
                plan.warmStart().description(),
                trained.epochs(),
                null);
        Path dir = plan.store()
                .publish(
                        plan.runId(),
                        trained.network(),
                        metrics,
                        plan.config().asMap(),
                        provenance,
                        plan.config().get(io.sparklstm.config.JobParams.OVERWRITE));
        log.info("Published run {}", dir);
        return new Published(dir, metrics);
    }
}
