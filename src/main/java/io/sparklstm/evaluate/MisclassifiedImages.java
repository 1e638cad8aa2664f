package io.sparklstm.evaluate;

import io.sparklstm.data.IdxHeader;
import io.sparklstm.data.MinibatchFile;
import io.sparklstm.data.Minibatches;
import io.sparklstm.data.StagedSplit;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finds the first test images a model gets wrong, on the driver: reads the staged test minibatches in order (their
 * IDX pixel bytes) and predicts them until it has {@code max} or has looked at {@code limit} images. A few thousand
 * images take the driver about a second.
 */
public final class MisclassifiedImages {

    private MisclassifiedImages() {}

    public static List<Misclassified> first(
            MultiLayerNetwork network, StagedSplit test, FileSystem fs, int max, int limit) throws IOException {
        List<Misclassified> wrong = new ArrayList<>();
        int index = 0;
        for (String file : test.batchPaths()) {
            if (wrong.size() >= max || index >= limit) {
                break;
            }
            MinibatchFile.Contents batch;
            try (InputStream in = fs.open(new Path(file))) {
                batch = MinibatchFile.read(in, file);
            }
            INDArray output = network.output(Minibatches.featureArray(batch.features(), batch.count()), false);
            int[] predictions = output.argMax(1).toIntVector();
            for (int i = 0; i < batch.count() && wrong.size() < max; i++) {
                int label = batch.labels()[i] & 0xFF;
                if (predictions[i] != label) {
                    byte[] pixels =
                            Arrays.copyOfRange(batch.pixels(), i * IdxHeader.PIXELS, (i + 1) * IdxHeader.PIXELS);
                    wrong.add(new Misclassified(index + i, label, predictions[i], pixels));
                }
            }
            index += batch.count();
        }
        return wrong;
    }
}
