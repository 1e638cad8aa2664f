package io.sparklstm;

import io.sparklstm.config.LstmImplementation;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.store.Provenance;
import io.sparklstm.train.TrainingSettings;
import java.util.List;
import java.util.Map;

/** Small configurations the tests share: the seed network and training settings without regularisation. */
public final class Fixtures {

    private Fixtures() {}

    /** The seed network with fast LSTM layers, a constant learning rate and no dropout. */
    public static SeedNetwork network(int units, double learningRate, long seed) {
        return new SeedNetwork(units, learningRate, 1.0, 0.0, seed, LstmImplementation.FAST);
    }

    /** Provenance with placeholders, for tests that publish into a store directly. */
    public static Provenance provenance(String runId) {
        return new Provenance(
                runId, Map.of(), Map.of(), Map.of(), "local", "app", "start", "end", null, null, List.of(), null, null);
    }

    /** Training settings without augmentation. */
    public static TrainingSettings settings(
            int workers, int batchSize, int averagingFrequency, int prefetchBatches, long seed) {
        return new TrainingSettings(workers, batchSize, averagingFrequency, prefetchBatches, seed, 0);
    }
}
