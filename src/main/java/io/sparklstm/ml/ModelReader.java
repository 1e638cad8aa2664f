package io.sparklstm.ml;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.store.ModelSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader.Metadata;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/**
 * Loads what {@link ModelWriter} saved: the metadata through MLlib's {@code DefaultParamsReader} (it checks the
 * class), then {@code data/model.zip} through the job's safe model reader, refused unless its SHA-256 is the one the
 * metadata recorded.
 */
final class ModelReader extends MLReader<LstmSequenceClassificationModel> {

    @Override
    public LstmSequenceClassificationModel load(String path) {
        Metadata metadata =
                DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), LstmSequenceClassificationModel.class.getName());
        String file = new Path(path, ModelWriter.MODEL_FILE).toString();
        ModelSource source;
        String recorded;
        try {
            recorded = new ObjectMapper()
                    .readTree(metadata.metadataJson())
                    .path(ModelWriter.SHA256_KEY)
                    .asText(null);
            source = ModelSource.resolve(file, "model", null, sc().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!source.sha256().equals(recorded)) {
            throw new IllegalStateException(file + ": SHA-256 " + source.sha256() + " differs from the "
                    + ModelWriter.SHA256_KEY + " recorded in " + path + "/metadata (" + recorded + ")");
        }
        LstmSequenceClassificationModel model = new LstmSequenceClassificationModel(metadata.uid(), source.network());
        metadata.getAndSetParams(model, Option.empty());
        return model;
    }
}
