package io.sparklstm.store;

import io.sparklstm.common.EpochStats;
import java.util.List;
import java.util.Map;

/**
 * Where a model came from, stored as {@code provenance.json} beside it: enough to audit a nightly model and to
 * reproduce it.
 *
 * @param runId            the run
 * @param inputSha256      SHA-256 of every input file as stored, by path
 * @param config           the effective configuration, by option name
 * @param versions         app version, git commit of the jar, DL4J, Spark and Java versions
 * @param sparkMaster      Spark master URL
 * @param applicationId    Spark application id
 * @param startedAt        ISO-8601 start of this attempt
 * @param finishedAt       ISO-8601 end of training and evaluation
 * @param resumedFromEpoch epoch of the checkpoint this attempt resumed from, or null
 * @param initFrom         the warm-start model (resolved), or null
 * @param epochs           per-epoch loss and timings
 * @param lostExecutors    executors lost while training, with Spark's reason
 * @param modelSha256      SHA-256 of {@code model.zip}, checked whenever the store loads the model
 * @param modelHmacSha256  HMAC-SHA256 of {@code model.zip} with the store's key ({@link StoreKey}), or null without one
 * @param onnxSha256       SHA-256 of {@code model.onnx}, the same network for ONNX runtimes
 */
public record Provenance(
        String runId,
        Map<String, String> inputSha256,
        Map<String, Object> config,
        Map<String, String> versions,
        String sparkMaster,
        String applicationId,
        String startedAt,
        String finishedAt,
        Integer resumedFromEpoch,
        String initFrom,
        List<EpochStats> epochs,
        Map<String, String> lostExecutors,
        String modelSha256,
        String modelHmacSha256,
        String onnxSha256) {

    /** This provenance with the model files' digests filled in once they are written. */
    Provenance withModelDigests(ModelFile.Digest digest, String onnxDigest) {
        return new Provenance(
                runId,
                inputSha256,
                config,
                versions,
                sparkMaster,
                applicationId,
                startedAt,
                finishedAt,
                resumedFromEpoch,
                initFrom,
                epochs,
                lostExecutors,
                digest.sha256(),
                digest.hmacSha256(),
                onnxDigest);
    }
}
