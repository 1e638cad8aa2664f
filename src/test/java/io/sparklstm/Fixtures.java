package io.sparklstm;

import io.sparklstm.cli.Main;
import io.sparklstm.config.JobConfig;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.store.Provenance;
import io.sparklstm.store.RunStore;
import io.sparklstm.train.TrainingSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Small configurations the tests share, always built by option name from the job's own declarations (never by
 * position): the seed network and training settings, by default without regularisation.
 */
public final class Fixtures {

    private Fixtures() {}

    /** The configuration of the bundled defaults with these options on top (and run id {@code test}). */
    public static JobConfig config(String... options) {
        List<String> args = new ArrayList<>(List.of("--run-id", "test"));
        args.addAll(List.of(options));
        return Main.parse(args.toArray(String[]::new));
    }

    /** The seed network of {@code options} over a plain base: constant learning rate, no dropout, fast LSTM. */
    public static SeedNetwork seedNetwork(String... options) {
        return SeedNetwork.from(config(plain(options)));
    }

    /** The training settings of {@code options} over a plain base: no augmentation; workers must be given. */
    public static TrainingSettings trainingSettings(String... options) {
        JobConfig config = config(plain(options));
        return TrainingSettings.from(config, 1);
    }

    /** A small seed network (16 units, learning rate 0.01, seed 42) with {@code options} on top. */
    public static SeedNetwork smallNetwork(String... options) {
        List<String> all = new ArrayList<>(List.of("--lstm-units", "16", "--learning-rate", "1e-2", "--seed", "42"));
        all.addAll(List.of(options));
        return seedNetwork(all.toArray(String[]::new));
    }

    /** Two workers, batch 32, averaging every 5 minibatches, seed 7, with {@code options} on top. */
    public static TrainingSettings twoWorkers(String... options) {
        List<String> all = new ArrayList<>(List.of(
                "--workers",
                "2",
                "--batch-size",
                "32",
                "--averaging-frequency",
                "5",
                "--prefetch-batches",
                "0",
                "--seed",
                "7"));
        all.addAll(List.of(options));
        return trainingSettings(all.toArray(String[]::new));
    }

    /** The seed network with fast LSTM layers, a constant learning rate and no dropout. */
    public static SeedNetwork network(int units, double learningRate, long seed) {
        return seedNetwork(
                "--lstm-units",
                Integer.toString(units),
                "--learning-rate",
                Double.toString(learningRate),
                "--seed",
                Long.toString(seed));
    }

    /** Training settings without augmentation. */
    public static TrainingSettings settings(
            int workers, int batchSize, int averagingFrequency, int prefetchBatches, long seed) {
        return trainingSettings(
                "--workers",
                Integer.toString(workers),
                "--batch-size",
                Integer.toString(batchSize),
                "--averaging-frequency",
                Integer.toString(averagingFrequency),
                "--prefetch-batches",
                Integer.toString(prefetchBatches),
                "--seed",
                Long.toString(seed));
    }

    /**
     * Publishes run {@code runId} of an 8-unit network (seed {@code seed}) straight into {@code store}, recorded as
     * promotable, and removes its scratch space: a complete run as a test's starting state.
     */
    public static MultiLayerNetwork publishSmallRun(RunStore store, String runId, long seed) throws IOException {
        MultiLayerNetwork net = network(8, 1e-3, seed).newNetwork();
        store.publish(runId, net, Map.of("accuracy", 0.5), Map.of(), provenance(runId), false, true, Map.of());
        store.discardWork(runId);
        return net;
    }

    /** Provenance with placeholders, for tests that publish into a store directly. */
    public static Provenance provenance(String runId) {
        return new Provenance(
                runId, Map.of(), Map.of(), Map.of(), "local", "app", "start", "end", null, null, List.of(), Map.of(),
                null, null, null);
    }

    private static String[] plain(String... options) {
        List<String> all = new ArrayList<>(List.of("--lr-decay", "1", "--dropout", "0", "--augment-shift", "0"));
        all.addAll(List.of(options));
        return all.toArray(String[]::new);
    }
}
