package io.sparklstm.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** JSON documents of the store (metrics, config, provenance, checkpoints), read and written on any FileSystem. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** Writes the document and flushes it to the DataNodes (hsync) before closing. */
    static void write(FileSystem fs, Path file, Object value) throws IOException {
        byte[] json = MAPPER.writeValueAsBytes(value);
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(json);
            out.hsync();
        }
    }

    /** The value as it reads back from JSON (e.g. a long 12345 becomes the int 12345), for comparisons. */
    static Map<String, Object> normalized(Map<String, Object> value) {
        try {
            return MAPPER.readValue(MAPPER.writeValueAsBytes(value), new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException("not serializable as JSON: " + value, e);
        }
    }

    static JsonNode read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return MAPPER.readTree(in);
        }
    }
}
