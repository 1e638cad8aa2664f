package io.sparklstm.ml;

import io.sparklstm.common.Digests;
import io.sparklstm.model.BroadcastModel;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import org.json4s.JsonAST;
import org.json4s.StringInput;
import org.json4s.jackson.JsonMethods$;
import scala.Option;

/**
 * Saves a {@link LstmSequenceClassificationModel} in MLlib's layout: {@code metadata/} through MLlib's own
 * {@code DefaultParamsWriter.saveMetadata} (class, uid, timestamp, Spark version, params), with the model file's
 * SHA-256 added, and {@code data/model.zip}. MLWriter refuses an existing path unless {@code overwrite()} was called.
 */
final class ModelWriter extends MLWriter {

    static final String MODEL_FILE = "data/model.zip";
    static final String SHA256_KEY = "modelSha256";

    private final LstmSequenceClassificationModel model;

    ModelWriter(LstmSequenceClassificationModel model) {
        this.model = model;
    }

    @Override
    public void saveImpl(String path) {
        byte[] bytes = BroadcastModel.serialize(model.network());
        JsonAST.JValue extra = JsonMethods$.MODULE$.parse(
                new StringInput("{\"" + SHA256_KEY + "\":\"" + Digests.sha256Hex(bytes) + "\"}"), false, false);
        DefaultParamsWriter$.MODULE$.saveMetadata(
                model, path, sc(), Option.apply((JsonAST.JObject) extra), Option.empty());
        Path file = new Path(path, MODEL_FILE);
        try {
            FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
            try (OutputStream out = fs.create(file, false)) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(path + ": cannot write " + MODEL_FILE, e);
        }
    }
}
