package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklstm.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threat model's central case: someone who can write the store swaps a run's model.zip and rewrites the SHA-256 in
 * its provenance.json to match. Without a key that goes unnoticed (the digest only catches accidents); with a key the
 * HMAC does not verify and the model is refused.
 */
class StoreKeyTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Publishes run {@code r} (8 units), then replaces its model with another network's and fixes the SHA-256. */
    private static void publishAndSwap(Configuration conf, Path root) throws IOException {
        RunStore store = RunStore.at(root.toString(), conf);
        Fixtures.publishSmallRun(store, "r", 1);
        Path model = root.resolve("runs/r/model.zip");
        FileSystem local = FileSystem.getLocal(conf);
        local.delete(new org.apache.hadoop.fs.Path(model.toUri()), false);
        ModelFile.Digest forged = ModelFile.write(
                local,
                new org.apache.hadoop.fs.Path(model.toUri()),
                Fixtures.network(8, 1e-3, 2).newNetwork(),
                Optional.empty());
        Path provenance = root.resolve("runs/r/provenance.json");
        ObjectNode document = (ObjectNode) JSON.readTree(provenance.toFile());
        document.put("modelSha256", forged.sha256());
        Files.delete(provenance);
        Files.deleteIfExists(provenance.resolveSibling(".provenance.json.crc"));
        JSON.writeValue(provenance.toFile(), document);
    }

    @Test
    void withoutAKeyAConsistentSwapLoads() throws IOException {
        Configuration conf = new Configuration();
        Path root = tmp.resolve("unkeyed");
        publishAndSwap(conf, root);
        assertNull(JSON.readTree(root.resolve("runs/r/provenance.json").toFile())
                .path("modelHmacSha256")
                .textValue());

        MultiLayerNetwork loaded = RunStore.at(root.toString(), conf).loadModel("r");

        assertEquals(Fixtures.network(8, 1e-3, 2).newNetwork().params(), loaded.params()); // the forged model
    }

    @Test
    void withAKeyTheSwapIsRefusedAndAnUntamperedRunLoads() throws IOException {
        Configuration conf = new Configuration();
        conf.set(StoreKey.PROPERTY, "nightly-secret");
        Path root = tmp.resolve("keyed");
        publishAndSwap(conf, root);

        IOException e = assertThrows(
                IOException.class, () -> RunStore.at(root.toString(), conf).loadModel("r"));
        assertTrue(e.getMessage().contains("HMAC-SHA256 does not verify"), e.getMessage());

        Path clean = tmp.resolve("clean");
        RunStore store = RunStore.at(clean.toString(), conf);
        MultiLayerNetwork net = Fixtures.network(8, 1e-3, 1).newNetwork();
        store.publish("ok", net, Map.of(), Map.of(), Fixtures.provenance("ok"), false, true, Map.of());
        assertNotNull(JSON.readTree(clean.resolve("runs/ok/provenance.json").toFile())
                .path("modelHmacSha256")
                .textValue());
        assertEquals(net.params(), store.loadModel("ok").params());

        Configuration otherKey = new Configuration();
        otherKey.set(StoreKey.PROPERTY, "another-secret");
        assertThrows(
                IOException.class, () -> RunStore.at(clean.toString(), otherKey).loadModel("ok"));
    }
}
