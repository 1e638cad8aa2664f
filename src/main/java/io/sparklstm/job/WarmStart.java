package io.sparklstm.job;

import io.sparklstm.common.BadInputException;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.model.FiniteParameters;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.store.ModelSource;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where the initial weights come from: random ({@code --init-from} unset), or an earlier model ({@code current}, a
 * run id of the store, or any {@code model.zip} URI). Only the weights are taken: the architecture comes from this
 * run's configuration (so the model must have the same shape) and Adam starts afresh. Resolved before anything is
 * written, so a bad {@code --init-from} exits with code 2 and leaves the store untouched.
 */
final class WarmStart {

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
        ModelSource source = ModelSource.resolve(from, "--init-from", store, hadoop);
        return new WarmStart(source.network(), source.description());
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
