package io.sparklstm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;

/**
 * Models are read without Java deserialization, with only DL4J's own classes named in their JSON, and with sizes
 * checked before reading. Hostile files are generated here from a real model.zip.
 */
class SafeModelReaderTest {

    /** Records whether Java deserialization ever ran on it. */
    static final class Canary implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean deserialized;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            deserialized = true;
        }
    }

    private static MultiLayerNetwork network() {
        MultiLayerNetwork net = Fixtures.network(8, 1e-3, 3).newNetwork();
        net.fit(new org.nd4j.linalg.dataset.DataSet(
                org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 28, 28),
                org.nd4j.linalg.factory.Nd4j.eye(10)
                        .getRows(0, 1, 2, 3)
                        .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)));
        return net;
    }

    private static Map<String, byte[]> entries(MultiLayerNetwork net) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, out, true);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    private static byte[] zip(Map<String, byte[]> entries, boolean stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static MultiLayerNetwork read(byte[] zip) throws IOException {
        return SafeModelReader.read(new ByteArrayInputStream(zip), "model.zip", true);
    }

    @Test
    void readsWhatDl4jWritesWithParametersAndUpdaterState() throws IOException {
        MultiLayerNetwork net = network();
        MultiLayerNetwork back = read(zip(entries(net), false));
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
    }

    @Test
    void anEntryThatWouldNeedJavaDeserializationIsRefusedUnread() throws IOException {
        Map<String, byte[]> entries = entries(network());
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(object)) {
            out.writeObject(new Canary());
        }
        entries.put("preprocessor.bin", object.toByteArray());
        Canary.deserialized = false;

        IOException e = assertThrows(IOException.class, () -> read(zip(entries, false)));

        assertTrue(e.getMessage().contains("preprocessor.bin") && e.getMessage().contains("model.zip"), e.getMessage());
        assertFalse(Canary.deserialized, "no Java deserialization ran");
        // DL4J's own reader deserializes it (and only then finds it is not a preprocessor):
        byte[] hostile = zip(entries, false);
        assertThrows(
                ClassCastException.class,
                () -> ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(hostile), false));
        assertTrue(Canary.deserialized);
    }

    @Test
    void aConfigurationNamingForeignClassesIsRefused() throws IOException {
        Map<String, byte[]> entries = entries(network());
        String json = new String(entries.get("configuration.json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"@class\""), "DL4J names classes in its JSON");
        String hostile =
                json.replaceFirst("\"@class\"\\s*:\\s*\"[^\"]+\"", "\"@class\" : \"java.lang.ProcessBuilder\"");
        entries.put("configuration.json", hostile.getBytes(StandardCharsets.UTF_8));

        IOException e = assertThrows(IOException.class, () -> read(zip(entries, false)));
        assertTrue(e.getMessage().contains("java.lang.ProcessBuilder"), e.getMessage());
    }

    @Test
    void anOversizedEntryIsRefusedFromItsDeclaredSizeAndAnUndeclaredOneWhileReading() throws IOException {
        Map<String, byte[]> entries = entries(network());
        byte[] padded = new byte[(int) SafeModelReader.MAX_CONFIGURATION_BYTES + 1];
        System.arraycopy(entries.get("configuration.json"), 0, padded, 0, entries.get("configuration.json").length);
        entries.put("configuration.json", padded);

        IOException declared = assertThrows(IOException.class, () -> read(zip(entries, true)));
        assertTrue(declared.getMessage().contains("declares"), declared.getMessage());
        IOException streamed = assertThrows(IOException.class, () -> read(zip(entries, false)));
        assertTrue(streamed.getMessage().contains("more than"), streamed.getMessage());
    }

    @Test
    void parametersOfTheWrongLengthAndDamagedFilesAreRefused() throws IOException {
        Map<String, byte[]> small = entries(network());
        Map<String, byte[]> large = entries(Fixtures.network(16, 1e-3, 3).newNetwork());
        small.put("coefficients.bin", large.get("coefficients.bin"));
        IOException wrong = assertThrows(IOException.class, () -> read(zip(small, false)));
        assertTrue(wrong.getMessage().contains("parameters"), wrong.getMessage());

        byte[] whole = zip(entries(network()), false);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
        assertThrows(IOException.class, () -> read(truncated));
        assertThrows(IOException.class, () -> read(new byte[0]));
    }
}
