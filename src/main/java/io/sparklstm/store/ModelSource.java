package io.sparklstm.store;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.Digests;
import io.sparklstm.model.SafeModelReader;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A trained model named the way every command names one: {@code current} (the store's promoted run), a run id of the
 * store, or any {@code model.zip} URI. Store runs load through the digest-checked path ({@link RunStore#loadModel});
 * other files through {@link SafeModelReader}. Anything that does not resolve, or does not load, is a bad input of the
 * option that named it (exit 2).
 *
 * @param network     the model, with its updater state
 * @param description what it is, for logs and provenance: {@code run 2026-11-29 (CURRENT)}, {@code run X}, a URI
 * @param runId       the store run it came from, or null for a file from elsewhere
 * @param sha256      SHA-256 of its model.zip
 */
public record ModelSource(MultiLayerNetwork network, String description, String runId, String sha256) {

    /** The largest model file accepted from outside the store. */
    private static final long MAX_BYTES = 1L << 30;

    /**
     * Resolves {@code spec}, given with {@code option} (e.g. {@code --model}), against {@code store} (null: only a
     * model.zip URI resolves).
     */
    public static ModelSource resolve(String spec, String option, RunStore store, Configuration hadoop)
            throws IOException {
        if (store == null && (spec.equals("current") || !spec.contains("/"))) {
            throw new BadInputException(
                    option + " " + spec + ": naming a model by 'current' or a run id needs --store");
        }
        if (spec.equals("current")) {
            String current = store.current()
                    .orElseThrow(() -> new BadInputException(
                            option + " current: the store " + store.root() + " has no CURRENT model yet"));
            return storeRun(store, current, option, "run " + current + " (CURRENT)");
        }
        if (store != null && !spec.contains("/") && store.fileSystem().exists(store.runDir(spec))) {
            return storeRun(store, spec, option, "run " + spec);
        }
        Path file = new Path(spec);
        FileSystem fs = file.getFileSystem(hadoop);
        if (!fs.isFile(file)) {
            throw new BadInputException(option + " " + spec + ": expected 'current', a run id of "
                    + (store == null ? "the store" : store.root()) + " or a model.zip file; found none of them");
        }
        if (fs.getFileStatus(file).getLen() > MAX_BYTES) {
            throw new BadInputException(option + " " + spec + ": larger than " + MAX_BYTES + " bytes");
        }
        String uri = fs.makeQualified(file).toString();
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
            bytes = in.readAllBytes();
        }
        try {
            MultiLayerNetwork network = SafeModelReader.read(new java.io.ByteArrayInputStream(bytes), uri, false);
            return new ModelSource(network, uri, null, Digests.sha256Hex(bytes));
        } catch (RuntimeException | IOException e) {
            throw new BadInputException(option + " " + spec + ": not a DL4J model (" + e.getMessage() + ")");
        }
    }

    /** A published run's model; a damaged one is bad input for the option, like any other source. */
    private static ModelSource storeRun(RunStore store, String runId, String option, String description)
            throws IOException {
        try {
            return new ModelSource(store.loadModel(runId), description, runId, store.modelSha256(runId));
        } catch (ModelFile.CorruptModelException e) {
            throw new BadInputException(option + " " + runId + ": " + e.getMessage());
        }
    }
}
