package io.sparklstm.job;

import io.sparklstm.common.BadInputException;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.model.FiniteParameters;
import io.sparklstm.model.SafeModelReader;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.store.ModelFile;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where the initial weights come from: random ({@code --init-from} unset), or an earlier model ({@code current}, a
 * run id of the store, or any {@code model.zip} URI). Only the weights are taken: the architecture comes from this
 * run's configuration (so the model must have the same shape) and Adam starts afresh. Resolved before anything is
 * written, so a bad {@code --init-from} exits with code 2 and leaves the store untouched.
 */
final class WarmStart {

    /** The largest model file accepted from outside the store. */
    private static final long MAX_BYTES = 1L << 30;

    private final MultiLayerNetwork source;
    private final String description;

    private WarmStart(MultiLayerNetwork source, String description) {
        this.source = source;
        this.description = description;
    }

    static WarmStart resolve(JobConfig config, RunStore store, Configuration hadoop) throws IOException {
        WarmStart start = load(config, store, hadoop);
        if (start.source != null && !FiniteParameters.of(start.source)) {
            throw new BadInputException("--init-from " + config.get(JobParams.INIT_FROM)
                    + ": the model's parameters are not finite (NaN or infinite), expected a trained model");
        }
        if (start.source != null) {
            long needed = SeedNetwork.from(config).newNetwork().numParams();
            if (start.source.numParams() != needed) {
                throw new BadInputException("--init-from " + config.get(JobParams.INIT_FROM) + ": the model has "
                        + start.source.numParams() + " parameters, this configuration needs " + needed
                        + " (different --lstm-units?)");
            }
        }
        return start;
    }

    private static WarmStart load(JobConfig config, RunStore store, Configuration hadoop) throws IOException {
        String from = config.get(JobParams.INIT_FROM);
        if (from == null) {
            return new WarmStart(null, null);
        }
        if (from.equals("current")) {
            String current = store.current()
                    .orElseThrow(() -> new BadInputException(
                            "--init-from current: the store " + store.root() + " has no CURRENT model yet"));
            return new WarmStart(storeModel(store, current, from), "run " + current + " (CURRENT)");
        }
        if (!from.contains("/") && store.fileSystem().exists(store.runDir(from))) {
            return new WarmStart(storeModel(store, from, from), "run " + from);
        }
        Path file = new Path(from);
        FileSystem fs = file.getFileSystem(hadoop);
        if (!fs.isFile(file)) {
            throw new BadInputException("--init-from " + from + ": expected 'current', a run id of " + store.root()
                    + " or a model.zip file; found none of them");
        }
        if (fs.getFileStatus(file).getLen() > MAX_BYTES) {
            throw new BadInputException("--init-from " + from + ": larger than " + MAX_BYTES + " bytes");
        }
        try (InputStream in = fs.open(file)) {
            return new WarmStart(
                    SafeModelReader.read(in, fs.makeQualified(file).toString(), false),
                    fs.makeQualified(file).toString());
        } catch (RuntimeException | IOException e) {
            throw new BadInputException("--init-from " + from + ": not a DL4J model (" + e.getMessage() + ")");
        }
    }

    /** A published run's model; a damaged one is bad input for this option, like any other source. */
    private static MultiLayerNetwork storeModel(RunStore store, String runId, String option) throws IOException {
        try {
            return store.loadModel(runId);
        } catch (ModelFile.CorruptModelException e) {
            throw new BadInputException("--init-from " + option + ": " + e.getMessage());
        }
    }

    /** A new network of {@code seed}'s architecture, with the source model's weights when there is one. */
    MultiLayerNetwork network(SeedNetwork seed) {
        MultiLayerNetwork network = seed.newNetwork();
        if (source != null) {
            network.setParams(source.params().castTo(network.params().dataType()));
        }
        return network;
    }

    /** The resolved source for provenance, or null for random initialisation. */
    String description() {
        return description;
    }
}
