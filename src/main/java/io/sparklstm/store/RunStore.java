package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.BadInputException;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.common.Redact;
import io.sparklstm.config.JobParams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model store on any Hadoop FileSystem:
 * <pre>
 * &lt;output&gt;/CURRENT              the id of the promoted run (replaced atomically)
 * &lt;output&gt;/_LOCK                held while a run is active ({@link RunLock})
 * &lt;output&gt;/runs/&lt;run-id&gt;/       model.zip, metrics.json, config.json, provenance.json, _SUCCESS (last)
 * &lt;output&gt;/_work/&lt;run-id&gt;/       scratch: staged minibatches, checkpoints, files being published
 * </pre>
 * A run directory appears in one step: its files are written under {@code _work} and the directory is renamed into
 * {@code runs/} only when {@code _SUCCESS} is in it (the boolean {@code rename} returns is checked), so a reader
 * never sees half a model and a crash leaves either no run directory or a complete one. {@code CURRENT} only ever
 * names a published run. Existing runs are replaced only when asked to ({@code --overwrite}).
 */
public final class RunStore {

    public static final String SUCCESS = "_SUCCESS";
    public static final String MODEL = "model.zip";
    /** The same network for ONNX runtimes ({@link io.sparklstm.model.OnnxExport}). */
    public static final String ONNX = "model.onnx";

    public static final String METRICS = "metrics.json";
    public static final String CONFIG = "config.json";
    public static final String PROVENANCE = "provenance.json";
    public static final String CURRENT = "CURRENT";
    public static final String REPORT = "report.html";
    public static final String INDEX = "index.html";
    static final String PUBLISHING = "PUBLISHING";

    private static final Logger log = LoggerFactory.getLogger(RunStore.class);

    private final FileSystem fs;
    private final Path root;

    private final Optional<StoreKey> key;
    private final StorePermissions permissions;

    private RunStore(FileSystem fs, Path root, Optional<StoreKey> key, StorePermissions permissions) {
        this.fs = fs;
        this.root = root;
        this.key = key;
        this.permissions = permissions;
    }

    /** The store at {@code uri}; nothing is created until a run starts. */
    public static RunStore at(String uri, Configuration hadoop) throws IOException {
        return at(uri, hadoop, JobParams.PERMISSIONS.defaultValue());
    }

    /**
     * The store at {@code uri} whose runs get {@code mode} (octal, e.g. {@code 750}; files without the execute bits)
     * less Hadoop's {@code fs.permissions.umask-mode}.
     */
    public static RunStore at(String uri, Configuration hadoop, String mode) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        return new RunStore(fs, fs.makeQualified(path), StoreKey.from(hadoop), StorePermissions.of(mode, hadoop));
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path root() {
        return root;
    }

    public Path runDir(String runId) {
        return new Path(new Path(root, "runs"), runId);
    }

    /** Creates the run's scratch space with the store's directory mode (it holds staged data and checkpoints). */
    public Path prepareWork(String runId) throws IOException {
        Path work = workDir(runId);
        fs.mkdirs(work);
        fs.setPermission(work, permissions.directories());
        return work;
    }

    /** Where {@code --overwrite} moves the old run until the new one is in place. */
    private Path replacedDir(String runId) {
        return new Path(workDir(runId), "replaced");
    }

    /** Scratch space of a run; removed by {@link #discardWork(String)}. */
    public Path workDir(String runId) {
        return new Path(new Path(root, "_work"), runId);
    }

    public CheckpointStore checkpoints(String runId) {
        return new CheckpointStore(fs, new Path(workDir(runId), "checkpoints"), key, permissions);
    }

    /** Fails with a {@link BadInputException} when the run exists and {@code overwrite} is off. */
    public void checkWritable(String runId, boolean overwrite) throws IOException {
        if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
            throw new BadInputException("--output " + root + ": is a file, expected a directory (the model store)");
        }
        Path dir = runDir(runId);
        if (!overwrite && fs.exists(dir)) {
            throw new BadInputException("--output " + root + ": run " + dir + " already exists; choose another "
                    + "--run-id or pass --overwrite to replace it");
        }
    }

    /** Takes the store's lock; see {@link RunLock}. */
    public RunLock lock(String runId, String applicationId, Duration lease) throws IOException {
        fs.mkdirs(root);
        return RunLock.acquire(fs, root, runId, applicationId, lease);
    }

    /**
     * The promoted run, if any.
     *
     * @throws BadInputException when {@code CURRENT} does not hold a valid run id (it is never followed as a path)
     */
    public Optional<String> current() throws IOException {
        Path file = new Path(root, CURRENT);
        if (!fs.exists(file)) {
            return Optional.empty();
        }
        String id;
        try (var in = fs.open(file)) {
            id = new String(in.readNBytes(256), StandardCharsets.UTF_8).strip();
        } catch (ChecksumException e) {
            throw new BadInputException("--output " + root + ": " + CURRENT + " is damaged (" + e.getMessage()
                    + "); write the id of a complete run into it, or delete it");
        }
        if (id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JobParams.RUN_ID.parse(id, file.toString()));
        } catch (BadInputException e) {
            throw new BadInputException("--output " + root + ": " + CURRENT + " holds '" + id
                    + "', not a run id; write the id of a run under runs/ into it, or delete it");
        }
    }

    /**
     * Checks the store's own state before a run starts: {@code CURRENT}, when present, names a complete run.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public void checkState() throws IOException {
        Optional<String> current = current();
        if (current.isPresent() && !fs.exists(new Path(runDir(current.get()), SUCCESS))) {
            throw new BadInputException("--output " + root + ": " + CURRENT + " names run '" + current.get()
                    + "', which is not a complete run of this store (no runs/" + current.get() + "/" + SUCCESS
                    + "); write the id of a complete run into it, or delete it");
        }
    }

    /** Makes {@code runId} the promoted run by atomically replacing {@code CURRENT}. */
    public void promote(String runId) throws IOException {
        if (!fs.exists(new Path(runDir(runId), SUCCESS))) {
            throw new IOException("refusing to promote incomplete run " + runDir(runId));
        }
        Path tmp = new Path(root, "." + CURRENT + "." + UUID.randomUUID());
        try (OutputStream out = fs.create(tmp, false)) {
            out.write((runId + "\n").getBytes(StandardCharsets.UTF_8));
        }
        permissions.applyFile(fs, tmp);
        FaultInjection.at("promote-before-rename");
        FileContext.getFileContext(root.toUri(), fs.getConf())
                .rename(tmp, new Path(root, CURRENT), Options.Rename.OVERWRITE);
        log.info("Promoted run {} to {}", runId, Redact.of(new Path(root, CURRENT)));
    }

    /** The SHA-256 of run {@code runId}'s model.zip, as its provenance.json records it. */
    public String modelSha256(String runId) throws IOException {
        return Json.read(fs, new Path(runDir(runId), PROVENANCE))
                .path("modelSha256")
                .asText();
    }

    /** Loads a published run's model after checking its SHA-256 against the run's provenance. */
    public MultiLayerNetwork loadModel(String runId) throws IOException {
        Path dir = runDir(runId);
        if (!fs.exists(new Path(dir, SUCCESS))) {
            throw new BadInputException("run " + dir + " does not exist or is incomplete (no " + SUCCESS + ")");
        }
        JsonNode provenance = Json.read(fs, new Path(dir, PROVENANCE));
        ModelFile.Digest recorded = ModelFile.Digest.recordedIn(provenance);
        return ModelFile.load(fs, new Path(dir, MODEL), recorded, key);
    }

    /**
     * Writes the run's files, {@code _SUCCESS} last, records the gate's decision for a rerun, then moves the complete
     * directory to {@code runs/<run-id>}. With {@code overwrite} an existing run is moved aside (into the run's scratch
     * space) before the new one is renamed into place and deleted only afterwards, so it is never lost before its
     * replacement is complete.
     *
     * @param promote the quality gate's decision, recorded in {@code _work/<run-id>/PUBLISHING} so that a rerun after
     *     a crash between the rename and the promotion can finish the promotion ({@link #unfinishedPublication})
     * @return the published run directory
     */
    public Path publish(
            String runId,
            MultiLayerNetwork model,
            Object metrics,
            Object config,
            Provenance provenance,
            boolean overwrite,
            boolean promote,
            Map<String, byte[]> attachments)
            throws IOException {
        Path staged = new Path(workDir(runId), "publish");
        fs.delete(staged, true);
        ModelFile.Digest digest =
                ModelFile.write(fs, new Path(staged, MODEL), model, key, FaultInjection.MODEL_WRITE_UNDER_WAY, true);
        String onnxDigest = ModelFile.writeOnnx(fs, new Path(staged, ONNX), model);
        Json.write(fs, new Path(staged, PROVENANCE), provenance.withModelDigests(digest, onnxDigest));
        Json.write(fs, new Path(staged, METRICS), metrics);
        Json.write(fs, new Path(staged, CONFIG), config);
        for (Map.Entry<String, byte[]> attachment : attachments.entrySet()) {
            writeSynced(new Path(staged, attachment.getKey()), attachment.getValue());
        }
        fs.create(new Path(staged, SUCCESS), false).close();
        permissions.applyTree(fs, staged);
        Path marker = new Path(workDir(runId), PUBLISHING);
        fs.delete(marker, false);
        Json.write(fs, marker, Map.of("modelSha256", digest.sha256(), "promote", promote));
        FaultInjection.at("publish-before-rename");

        Path target = runDir(runId);
        Path replaced = replacedDir(runId);
        if (overwrite && fs.exists(target)) {
            log.info(
                    "Replacing existing run {} (--overwrite): moved aside to {} until the new one is in place",
                    target,
                    replaced);
            fs.delete(replaced, true);
            if (!fs.rename(target, replaced)) {
                throw new IOException("could not move " + target + " aside to " + replaced);
            }
            FaultInjection.at("publish-after-moving-old");
        }
        fs.mkdirs(target.getParent());
        if (!fs.rename(staged, target)) {
            throw new IOException("could not rename " + staged + " to " + target + " (does it exist already?)");
        }
        FaultInjection.at("publish-after-rename");
        fs.delete(replaced, true);
        return target;
    }

    /**
     * A run that was published by an attempt that stopped before it finished (promotion, retention, clean-up): its
     * directory is complete and is the one that attempt recorded in {@code _work/<run-id>/PUBLISHING}.
     *
     * @return the gate's recorded decision (promote or not), or empty when the run is not in that state
     */
    public Optional<Boolean> unfinishedPublication(String runId) throws IOException {
        Path marker = new Path(workDir(runId), PUBLISHING);
        Path provenance = new Path(runDir(runId), PROVENANCE);
        if (!fs.exists(marker) || !fs.exists(new Path(runDir(runId), SUCCESS)) || !fs.exists(provenance)) {
            return Optional.empty();
        }
        JsonNode recorded = Json.read(fs, marker);
        String published = Json.read(fs, provenance).path("modelSha256").asText();
        if (!published.equals(recorded.path("modelSha256").asText())) {
            return Optional.empty();
        }
        return Optional.of(recorded.path("promote").asBoolean());
    }

    /** Whether an interrupted {@code --overwrite} left the old run moved aside and no run in its place. */
    public boolean hasReplacedRun(String runId) throws IOException {
        return fs.exists(new Path(replacedDir(runId), SUCCESS)) && !fs.exists(runDir(runId));
    }

    /**
     * Puts back a run that an interrupted {@code --overwrite} moved aside before its replacement was in place.
     *
     * @return whether there was one to put back
     */
    public boolean restoreReplaced(String runId) throws IOException {
        Path replaced = replacedDir(runId);
        Path target = runDir(runId);
        if (!fs.exists(new Path(replaced, SUCCESS)) || fs.exists(target)) {
            return false;
        }
        if (!fs.rename(replaced, target)) {
            throw new IOException("could not put " + replaced + " back to " + target);
        }
        log.info("Put back run {}, moved aside by an interrupted --overwrite", Redact.of(target));
        return true;
    }

    /**
     * Replaces the store's {@code index.html} in one step (written aside, then renamed over it), so readers see the
     * old page or the new one.
     */
    public void writeIndex(byte[] html) throws IOException {
        Path tmp = new Path(root, "." + INDEX + "." + UUID.randomUUID());
        writeSynced(tmp, html);
        permissions.applyFile(fs, tmp);
        FileContext.getFileContext(root.toUri(), fs.getConf())
                .rename(tmp, new Path(root, INDEX), Options.Rename.OVERWRITE);
    }

    private void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
            out.hsync();
        }
    }

    /** The metrics of a published run, as written. */
    public JsonNode metrics(String runId) throws IOException {
        return Json.read(fs, new Path(runDir(runId), METRICS));
    }

    /**
     * Retention: keeps the {@code keep} most recently published runs and the promoted one, deletes the other runs
     * and their scratch space.
     *
     * @return the ids of the deleted runs
     */
    public List<String> prune(int keep) throws IOException {
        Path runs = new Path(root, "runs");
        if (keep <= 0 || !fs.exists(runs)) {
            return List.of();
        }
        String current = current().orElse(null);
        List<FileStatus> published = new ArrayList<>();
        for (FileStatus run : fs.listStatus(runs)) {
            Path success = new Path(run.getPath(), SUCCESS);
            if (run.isDirectory() && fs.exists(success)) {
                published.add(fs.getFileStatus(success));
            }
        }
        published.sort(Comparator.comparingLong(FileStatus::getModificationTime)
                .reversed()
                .thenComparing(s -> s.getPath().getParent().getName(), Comparator.reverseOrder()));
        List<String> deleted = new ArrayList<>();
        for (int i = keep; i < published.size(); i++) {
            String id = published.get(i).getPath().getParent().getName();
            if (!id.equals(current)) {
                fs.delete(runDir(id), true);
                discardWork(id);
                deleted.add(id);
                FaultInjection.at("cleanup-during-retention");
            }
        }
        if (!deleted.isEmpty()) {
            log.info("Retention (--keep-runs {}): deleted runs {}", keep, deleted);
        }
        return deleted;
    }

    /** Removes temporary {@code CURRENT} files that an interrupted promotion left behind. */
    public void removePromotionLeftovers() throws IOException {
        for (FileStatus leftover : fs.listStatus(root, p -> p.getName().startsWith("." + CURRENT + "."))) {
            fs.delete(leftover.getPath(), false);
        }
    }

    /** Removes the run's scratch space, and the {@code _work} directory once it is empty. */
    public void discardWork(String runId) throws IOException {
        Path work = workDir(runId);
        fs.delete(work, true);
        Path parent = work.getParent();
        if (fs.exists(parent) && fs.listStatus(parent).length == 0) {
            fs.delete(parent, false);
        }
    }
}
