package io.sparklstm.job;

import io.sparklstm.common.BuildInfo;
import io.sparklstm.common.Redact;
import io.sparklstm.config.JobParams;
import io.sparklstm.store.Provenance;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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

    private static Map<String, String> redactedKeys(Map<String, String> byFile) {
        Map<String, String> redacted = new LinkedHashMap<>();
        byFile.forEach((file, sha) -> redacted.put(Redact.uri(file), sha));
        return redacted;
    }

    Published run(RunPlan plan, StagedData data, Trained trained, Evaluation evaluation) throws IOException {
        RunMetrics metrics = RunMetrics.of(
                plan.runId(),
                evaluation.report(),
                data.train().examples(),
                trained.epochs(),
                plan.settings().workers(),
                trained.executors(),
                trained.lostExecutors().size(),
                trained.taskRetries(),
                evaluation.gate());
        Provenance provenance = new Provenance(
                plan.runId(),
                redactedKeys(plan.inputs().sha256ByFile()),
                plan.config().asMap(),
                BuildInfo.versions(sc.version()),
                sc.master(),
                sc.sc().applicationId(),
                startedAt,
                Instant.now().toString(),
                trained.resumedFromEpoch(),
                Redact.uri(plan.warmStart().description()),
                trained.epochs(),
                trained.lostExecutors(),
                null,
                null,
                null);
        Path dir = plan.store()
                .publish(
                        plan.runId(),
                        trained.network(),
                        metrics,
                        plan.config().asMap(),
                        provenance,
                        plan.config().get(JobParams.OVERWRITE),
                        evaluation.gate().promote());
        log.info("Published run {}", Redact.of(dir));
        return new Published(dir, metrics);
    }
}
