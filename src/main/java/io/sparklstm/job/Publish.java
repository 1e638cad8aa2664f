package io.sparklstm.job;

import io.sparklstm.common.BuildInfo;
import io.sparklstm.common.Redact;
import io.sparklstm.config.JobParams;
import io.sparklstm.evaluate.MisclassifiedImages;
import io.sparklstm.report.RunReport;
import io.sparklstm.store.Provenance;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage: the run's model, metrics, configuration, provenance and report.html written under scratch space with
 * {@code _SUCCESS} last, then renamed into {@code runs/<run-id>} in one step.
 */
final class Publish {

    /** Misclassified test images shown in report.html, and how many test images are searched for them. */
    static final int MISCLASSIFIED_SHOWN = 40;

    static final int MISCLASSIFIED_SEARCHED = 5000;

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

    /** What report.html's provenance table shows. */
    private static Map<String, String> summary(Provenance provenance, RunPlan plan) {
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("run id", provenance.runId());
        summary.put("started", provenance.startedAt());
        summary.put("finished", provenance.finishedAt());
        summary.put("resumed from epoch", String.valueOf(provenance.resumedFromEpoch()));
        summary.put("warm start", String.valueOf(provenance.initFrom()));
        summary.put("data", Redact.of(plan.inputs().directory()));
        provenance.inputSha256().forEach((file, sha) -> summary.put("SHA-256 " + file, sha));
        summary.put("Spark master", provenance.sparkMaster());
        summary.put("application", provenance.applicationId());
        provenance.versions().forEach((name, version) -> summary.put(name, version));
        for (String option : List.of(
                "epochs", "batch-size", "averaging-frequency", "learning-rate", "lr-decay", "dropout", "lstm-units")) {
            summary.put("--" + option, String.valueOf(provenance.config().get(option)));
        }
        summary.put("executors lost", String.valueOf(provenance.lostExecutors().size()));
        summary.put("model.zip, model.onnx", "SHA-256 in provenance.json beside this page");
        return summary;
    }

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
        byte[] report = new RunReport(
                        plan.runId(),
                        evaluation.report(),
                        trained.epochs(),
                        evaluation.gate(),
                        summary(provenance, plan),
                        MisclassifiedImages.first(
                                trained.network(),
                                data.test(),
                                plan.store().fileSystem(),
                                MISCLASSIFIED_SHOWN,
                                MISCLASSIFIED_SEARCHED))
                .html()
                .getBytes(StandardCharsets.UTF_8);
        Path dir = plan.store()
                .publish(
                        plan.runId(),
                        trained.network(),
                        metrics,
                        plan.config().asMap(),
                        provenance,
                        plan.config().get(JobParams.OVERWRITE),
                        evaluation.gate().promote(),
                        Map.of(RunStore.REPORT, report));
        log.info("Published run {}", Redact.of(dir));
        return new Published(dir, metrics);
    }
}
