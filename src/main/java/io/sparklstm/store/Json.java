package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** JSON documents of the store (metrics, config, provenance, checkpoints), read and written on any FileSystem. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    static void write(FileSystem fs, Path file, Object value) throws IOException {
        try (OutputStream out = fs.create(file, false)) {
            MAPPER.writeValue(out, value);
        }
    }

    static JsonNode read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return MAPPER.readTree(in);
        }
    }
}
