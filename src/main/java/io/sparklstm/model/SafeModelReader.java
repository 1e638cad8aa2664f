package io.sparklstm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a DL4J {@code model.zip} (as {@code ModelSerializer.writeModel} writes it) without running untrusted code
 * paths. DL4J's own reader deserializes some entries ({@code preprocessor.bin}, {@code normalizer.bin}, added objects)
 * with plain Java serialization, resolves any class named in the configuration's JSON, and reads every entry whole into
 * memory. This reader instead:
 *
 * <ul>
 *   <li>accepts only the entries this job writes ({@code configuration.json}, {@code coefficients.bin},
 *       {@code updaterState.bin}) and refuses any other entry, so no entry is ever given to Java deserialization;
 *   <li>checks each entry's size against a cap before reading it (from the zip's declared size when present) and
 *       while reading it (when the size is not declared);
 *   <li>lets the configuration's JSON name only classes of DL4J's layer and ND4J's math packages and of this project's
 *       model package in its polymorphic {@code @class} fields, before DL4J's mapper sees it;
 *   <li>checks that the parameters have exactly the length the configuration needs.
 * </ul>
 *
 * Arrays are read with ND4J's binary array format (a header and raw numbers), not with Java serialization.
 */
public final class SafeModelReader {

    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER = "updaterState.bin";
    private static final Set<String> ENTRIES = Set.of(CONFIGURATION, COEFFICIENTS, UPDATER);

    /** Largest configuration JSON accepted. */
    static final long MAX_CONFIGURATION_BYTES = 4L << 20;

    /** Largest array entry accepted: 1 GiB, room for the parameters and Adam state of ~2,500 LSTM units per layer. */
    static final long MAX_ARRAY_BYTES = 1L << 30;

    /** Package prefixes the configuration's {@code @class} fields may name. */
    private static final List<String> ALLOWED_CLASSES =
            List.of("org.deeplearning4j.nn.", "org.nd4j.linalg.", "io.sparklstm.model.");

    private SafeModelReader() {}

    /**
     * Reads a network, with its updater state when present and {@code loadUpdater} is set.
     *
     * @param where the file, for messages
     * @throws InvalidModelException naming the file and what is wrong with it
     * @throws IOException when the stream cannot be read
     */
    public static MultiLayerNetwork read(InputStream in, String where, boolean loadUpdater) throws IOException {
        Map<String, byte[]> entries = entries(in, where);
        byte[] configuration = entries.get(CONFIGURATION);
        byte[] coefficients = entries.get(COEFFICIENTS);
        if (configuration == null || coefficients == null) {
            throw new InvalidModelException(
                    where,
                    "has no " + (configuration == null ? CONFIGURATION : COEFFICIENTS)
                            + " entry, expected a DL4J MultiLayerNetwork model.zip");
        }
        String json = new String(configuration, StandardCharsets.UTF_8);
        checkClasses(json, where);
        MultiLayerConfiguration conf;
        try {
            conf = MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new InvalidModelException(where, "has an unreadable " + CONFIGURATION + " (" + e.getMessage() + ")");
        }
        INDArray params = array(coefficients, COEFFICIENTS, where);
        conf.setDataType(params.dataType());
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        long needed = expectedParams(conf);
        if (params.length() != needed) {
            throw new InvalidModelException(
                    where, "has " + params.length() + " parameters, its configuration needs " + needed);
        }
        network.init(params, false);
        byte[] updater = entries.get(UPDATER);
        if (loadUpdater && updater != null) {
            INDArray state = array(updater, UPDATER, where);
            if (state.length() != network.getUpdater().getStateViewArray().length()) {
                throw new InvalidModelException(
                        where,
                        "has an updater state of " + state.length() + " values, its configuration needs "
                                + network.getUpdater().getStateViewArray().length());
            }
            network.getUpdater().setStateViewArray(network, state, false);
        }
        return network;
    }

    private static long expectedParams(MultiLayerConfiguration conf) {
        long total = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            total += conf.getConf(i).getLayer().initializer().numParams(conf.getConf(i));
        }
        return total;
    }

    private static Map<String, byte[]> entries(InputStream in, String where) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (!ENTRIES.contains(name)) {
                    throw new InvalidModelException(
                            where,
                            "has an entry '" + truncate(name)
                                    + "' this job never writes (only " + ENTRIES
                                    + " are read; other entries would need Java"
                                    + " deserialization)");
                }
                if (entries.containsKey(name)) {
                    throw new InvalidModelException(where, "has the entry " + name + " twice");
                }
                long cap = name.equals(CONFIGURATION) ? MAX_CONFIGURATION_BYTES : MAX_ARRAY_BYTES;
                if (entry.getSize() > cap) {
                    throw new InvalidModelException(
                            where,
                            "entry " + name + " declares " + entry.getSize() + " bytes, more than the " + cap
                                    + " allowed");
                }
                entries.put(name, readCapped(zip, cap, name, where));
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new InvalidModelException(where, "is not a readable zip file (" + e.getMessage() + ")");
        }
        if (entries.isEmpty()) {
            throw new InvalidModelException(where, "is empty or not a zip file, expected a DL4J model.zip");
        }
        return entries;
    }

    private static byte[] readCapped(InputStream in, long cap, String name, String where) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > cap) {
                throw new InvalidModelException(
                        where, "entry " + name + " holds more than the " + cap + " bytes allowed");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static INDArray array(byte[] bytes, String name, String where) throws InvalidModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        } catch (IOException | RuntimeException e) {
            throw new InvalidModelException(where, "has an unreadable " + name + " (" + e.getMessage() + ")");
        }
    }

    /** Every {@code @class} in the JSON names a class of an allowed package. */
    private static void checkClasses(String json, String where) throws InvalidModelException {
        JsonNode tree;
        try {
            tree = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new InvalidModelException(where, "has an unreadable " + CONFIGURATION + " (" + e.getMessage() + ")");
        }
        checkClasses(tree, where);
    }

    private static void checkClasses(JsonNode node, String where) throws InvalidModelException {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("@class")) {
                    String type = field.getValue().asText();
                    if (ALLOWED_CLASSES.stream().noneMatch(type::startsWith)) {
                        throw new InvalidModelException(
                                where,
                                CONFIGURATION + " names the class '" + truncate(type) + "', expected only classes of "
                                        + ALLOWED_CLASSES);
                    }
                }
                checkClasses(field.getValue(), where);
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                checkClasses(child, where);
            }
        }
    }

    private static String truncate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }

    /** A model file that is damaged or holds something this job does not accept. */
    public static final class InvalidModelException extends IOException {
        public InvalidModelException(String where, String problem) {
            super(where + ": " + problem);
        }
    }
}
