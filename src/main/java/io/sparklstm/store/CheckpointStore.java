package io.sparklstm.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.BadInputException;
import io.sparklstm.common.EpochStats;
import io.sparklstm.model.FiniteParameters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-epoch checkpoints of one run, under {@code <output>/_work/<run-id>/checkpoints/epoch-NNNN/}: {@code model.zip}
 * (with updater state), with {@code --ema-epochs} {@code average.zip} (the network with the moving average of the
 * weights, without updater state: nothing trains it), and {@code checkpoint.json} (epoch, SHA-256 of the model files,
 * the settings and their hash, epoch statistics). Each is written under a temporary name and renamed into place, so a
 * crash while writing leaves no checkpoint that looks complete; a checkpoint that is corrupt anyway (truncated, wrong
 * digest) is skipped with a warning and the next older one is tried. The two newest are kept until the run is
 * published.
 */
public final class CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);
    private static final String PREFIX = "epoch-";
    private static final String STATE = "checkpoint.json";
    private static final String AVERAGE = "average.zip";
    private static final int KEEP = 2;

    private final FileSystem fs;
    private final Path dir;

    private final Optional<StoreKey> key;

    private final StorePermissions permissions;

    CheckpointStore(FileSystem fs, Path dir, Optional<StoreKey> key, StorePermissions permissions) {
        this.fs = fs;
        this.dir = dir;
        this.key = key;
        this.permissions = permissions;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Saves the state after {@code epoch}.
     *
     * @param network     the trained network with its updater state, from which training resumes
     * @param averaged    the same network with the moving average of the weights ({@code --ema-epochs}), null when
     *                    off
     * @param fingerprint what the run was made with (see {@link #checkCompatible}); JSON-serializable values
     */
    public void save(
            int epoch,
            MultiLayerNetwork network,
            MultiLayerNetwork averaged,
            Map<String, Object> fingerprint,
            List<EpochStats> epochs)
            throws IOException {
        String name = String.format("%s%04d", PREFIX, epoch);
        Path tmp = new Path(dir, "." + name + ".tmp");
        Path target = new Path(dir, name);
        fs.delete(tmp, true);
        ModelFile.Digest digest = ModelFile.write(fs, new Path(tmp, RunStore.MODEL), network, key);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", epoch);
        state.put("modelSha256", digest.sha256());
        state.put("modelHmacSha256", digest.hmacSha256());
        if (averaged != null) {
            ModelFile.Digest averageDigest = ModelFile.writeWeights(fs, new Path(tmp, AVERAGE), averaged, key);
            state.put("averageSha256", averageDigest.sha256());
            state.put("averageHmacSha256", averageDigest.hmacSha256());
        }
        state.put("settings", fingerprint);
        state.put("epochs", epochs);
        Json.write(fs, new Path(tmp, STATE), state);
        permissions.applyTree(fs, tmp);
        fs.delete(target, true);
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename checkpoint " + tmp + " to " + target);
        }
        List<Path> all = completed();
        for (int i = KEEP; i < all.size(); i++) {
            fs.delete(all.get(i), true);
        }
        log.info("Checkpoint after epoch {} written to {}", epoch, target);
    }

    /**
     * Read-only: fails when the newest readable checkpoint was made with another fingerprint, so a run that could not
     * resume is refused before it writes anything.
     *
     * @throws BadInputException naming the checkpoint and listing the differences
     */
    public void checkCompatible(Map<String, Object> fingerprint) throws IOException {
        for (Path candidate : completed()) {
            if (readState(candidate, fingerprint) != null) {
                return;
            }
        }
    }

    /**
     * The newest usable checkpoint. Corrupt ones are skipped with a warning.
     *
     * @throws BadInputException when the newest readable checkpoint was made with another fingerprint: resuming it
     *     would silently mix two configurations, so the message lists the differences
     */
    public Optional<Checkpoint> latest(Map<String, Object> fingerprint) throws IOException {
        for (Path candidate : completed()) {
            JsonNode state = readState(candidate, fingerprint);
            if (state == null) {
                continue;
            }
            try {
                ModelFile.Digest recorded = ModelFile.Digest.recordedIn(state);
                MultiLayerNetwork network = ModelFile.load(fs, new Path(candidate, RunStore.MODEL), recorded, key);
                if (!FiniteParameters.of(network)) {
                    log.warn("Skipping checkpoint {}: its parameters are not finite", candidate);
                    continue;
                }
                INDArray average = null;
                if (state.has("averageSha256")) {
                    average = ModelFile.load(
                                    fs,
                                    new Path(candidate, AVERAGE),
                                    ModelFile.Digest.recordedIn(state, "average"),
                                    key)
                            .params();
                }
                List<EpochStats> epochs = Json.MAPPER.convertValue(state.get("epochs"), new TypeReference<>() {});
                return Optional.of(new Checkpoint(state.path("epoch").asInt(), network, epochs, average));
            } catch (ModelFile.CorruptModelException e) {
                log.warn("Skipping corrupt checkpoint {}: {}", candidate, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The checkpoint's state, null when unreadable; throws when it was made with another fingerprint. */
    private JsonNode readState(Path candidate, Map<String, Object> fingerprint) {
        JsonNode state;
        try {
            state = Json.read(fs, new Path(candidate, STATE));
        } catch (IOException e) {
            log.warn("Skipping checkpoint {}: unreadable {} ({})", candidate, STATE, e.getMessage());
            return null;
        }
        Map<String, Object> saved = Json.MAPPER.convertValue(state.get("settings"), new TypeReference<>() {});
        Map<String, Object> current = Json.normalized(fingerprint);
        if (!current.equals(saved)) {
            throw new BadInputException("cannot resume run from checkpoint " + candidate + ": its settings differ: "
                    + differences(saved == null ? Map.of() : saved, current)
                    + "; rerun with the checkpoint's settings, or use another --run-id");
        }
        return state;
    }

    /** Completed checkpoint directories, newest first. */
    private List<Path> completed() throws IOException {
        if (!fs.exists(dir)) {
            return List.of();
        }
        FileStatus[] statuses = fs.listStatus(dir, p -> p.getName().startsWith(PREFIX));
        return Arrays.stream(statuses)
                .map(FileStatus::getPath)
                .sorted(Comparator.comparing(Path::getName).reversed())
                .toList();
    }

    private static String differences(Map<String, Object> saved, Map<String, Object> current) {
        List<String> diffs = new ArrayList<>();
        for (String key : new TreeSet<>(union(saved, current))) {
            Object was = saved.get(key);
            Object now = current.get(key);
            if (was == null ? now != null : !was.equals(now)) {
                diffs.add(key + " was " + was + ", now " + now);
            }
        }
        return String.join("; ", diffs);
    }

    private static TreeSet<String> union(Map<String, Object> a, Map<String, Object> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }
}
