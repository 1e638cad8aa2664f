package io.sparklstm.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** What runs wrote to a test cluster's HDFS ({@code hdfs://127.0.0.1:PORT}), read through {@code fs}. */
record ClusterFiles(FileSystem fs, String hdfs) {

    /** A run directory of a model store on this HDFS, e.g. {@code run("/sparklstm", "it")}. */
    Path run(String store, String runId) {
        return new Path(hdfs + store + "/runs/" + runId);
    }

    /** A file of a run, e.g. {@code file("/sparklstm", "it", "metrics.json")}. */
    Path file(String store, String runId, String name) {
        return new Path(run(store, runId), name);
    }

    JsonNode readJson(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** A model.zip, read with DL4J's ModelSerializer (updater state included). */
    MultiLayerNetwork readModel(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
    }
}
