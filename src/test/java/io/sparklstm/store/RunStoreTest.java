package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    private RunStore store() throws IOException {
        return RunStore.at(root.toString(), new Configuration());
    }
}
