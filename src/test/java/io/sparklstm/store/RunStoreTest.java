package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RunStoreTest {

    @TempDir
    Path root;

    @Test
    void savedModelReloadsWithIdenticalOutputs() throws IOException {
        MultiLayerNetwork net = Fixtures.network(8, 1e-3, 3).newNetwork();
        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 28, 28);
        net.fit(input, Nd4j.eye(10).getRows(0, 1, 2, 3).castTo(DataType.FLOAT)); // non-trivial updater state

        Path run = Path.of(store().publish(
                        "r1",
                        net,
                        Map.of("accuracy", 0.5),
                        Map.of("seed", 3),
                        Fixtures.provenance("r1"),
                        false,
                        true,
                        Map.of())
                .toUri());

        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
                run.resolve("model.zip").toFile(), true);
        assertEquals(net.output(input), restored.output(input));
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertTrue(Files.exists(run.resolve("_SUCCESS")));
        assertEquals(net.output(input), store().loadModel("r1").output(input), "digest-checked load");
        assertFalse(Files.exists(root.resolve("_work/r1/publish")));
    }

    @Test
    void refusesAnExistingRunUnlessOverwriting() throws IOException {
        MultiLayerNetwork net = Fixtures.network(8, 1e-3, 3).newNetwork();
        RunStore store = store();
        store.checkWritable("r1", false);
        store.publish("r1", net, Map.of("accuracy", 0.1), Map.of(), Fixtures.provenance("r1"), false, true, Map.of());

        BadInputException e = assertThrows(BadInputException.class, () -> store.checkWritable("r1", false));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("--overwrite"), e.getMessage());

        store.checkWritable("r1", true);
        store.publish("r1", net, Map.of("accuracy", 0.2), Map.of(), Fixtures.provenance("r1"), true, true, Map.of());
        assertTrue(Files.readString(root.resolve("runs/r1/metrics.json")).contains("0.2"));
    }

    @Test
    void checkpointKeepsTheWeightAverageForTheResume() throws IOException {
        MultiLayerNetwork net = Fixtures.network(8, 1e-3, 3).newNetwork();
        INDArray average = net.params().mul(0.5);
        CheckpointStore checkpoints = store().checkpoints("r1");
        Map<String, Object> fingerprint = Map.of("seed", 3);

        checkpoints.save(1, net, null, fingerprint, List.of());
        assertNull(checkpoints.latest(fingerprint).orElseThrow().weightAverage(), "none saved without averaging");

        MultiLayerNetwork averaged = net.clone();
        averaged.setParams(average);
        checkpoints.save(2, net, averaged, fingerprint, List.of());
        Checkpoint latest = checkpoints.latest(fingerprint).orElseThrow();
        assertEquals(2, latest.epoch());
        assertEquals(average, latest.weightAverage());
        assertEquals(net.params(), latest.network().params(), "the training state stays the latest weights");

        Path file = root.resolve("_work/r1/checkpoints/epoch-0002/average.zip");
        assertEquals(
                Set.of("configuration.json", "coefficients.bin"),
                zipEntries(file),
                "the average carries weights, no updater state");
        assertTrue(zipEntries(file.resolveSibling("model.zip")).contains("updaterState.bin"), "the resume state does");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        Files.deleteIfExists(file.resolveSibling(".average.zip.crc")); // damage the local FS's checksum cannot see
        assertEquals(
                1, checkpoints.latest(fingerprint).orElseThrow().epoch(), "a corrupt average skips the checkpoint");
    }

    private static Set<String> zipEntries(Path zip) throws IOException {
        Set<String> names = new HashSet<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            file.stream().forEach(e -> names.add(e.getName()));
        }
        return names;
    }

    private RunStore store() throws IOException {
        return RunStore.at(root.toString(), new Configuration());
    }
}
