package io.sparklstm.score;

import io.sparklstm.data.IdxHeader;
import io.sparklstm.model.SafeModelReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores a partition's images on an executor: the model, broadcast once as its model.zip bytes, is read once per
 * executor JVM (and model), then every {@code batchSize} images go through it as one minibatch. Each image gives a
 * row {@code (id, prediction, probability[, label])}.
 */
final class ScoreFunction implements FlatMapFunction<Iterator<ImageBlock>, Row> {

    private static final Map<String, MultiLayerNetwork> MODELS = new ConcurrentHashMap<>();

    private final Broadcast<byte[]> model;
    private final String modelSha256;
    private final int batchSize;
    private final boolean withLabels;

    ScoreFunction(Broadcast<byte[]> model, String modelSha256, int batchSize, boolean withLabels) {
        this.model = model;
        this.modelSha256 = modelSha256;
        this.batchSize = batchSize;
        this.withLabels = withLabels;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageBlock> blocks) {
        MultiLayerNetwork network = MODELS.computeIfAbsent(modelSha256, sha -> read(model.value()));
        List<Row> rows = new ArrayList<>();
        while (blocks.hasNext()) {
            ImageBlock block = blocks.next();
            for (int first = 0; first < block.size(); first += batchSize) {
                int n = Math.min(batchSize, block.size() - first);
                INDArray probabilities;
                synchronized (network) { // one network per JVM, shared by the executor's task threads
                    probabilities = network.output(features(block, first, n), false);
                }
                for (int i = 0; i < n; i++) {
                    double[] p = probabilities.getRow(i).toDoubleVector();
                    int prediction = argmax(p);
                    long id = block.ids()[first + i];
                    rows.add(
                            withLabels
                                    ? RowFactory.create(id, prediction, p, block.labels()[first + i])
                                    : RowFactory.create(id, prediction, p));
                }
            }
        }
        return rows.iterator();
    }

    /** Images {@code [first, first + n)} of the block in the network's layout: {@code [n, column, row]}. */
    private static INDArray features(ImageBlock block, int first, int n) {
        int rows = IdxHeader.ROWS;
        int columns = IdxHeader.COLUMNS;
        float[] features = new float[n * ImageBlock.PIXELS];
        for (int i = 0; i < n; i++) {
            int src = (first + i) * ImageBlock.PIXELS;
            int dst = i * ImageBlock.PIXELS;
            for (int row = 0; row < rows; row++) {
                for (int column = 0; column < columns; column++) {
                    features[dst + column * rows + row] = block.pixels()[src + row * columns + column];
                }
            }
        }
        return Nd4j.create(features, new long[] {n, columns, rows}, DataType.FLOAT);
    }

    private static MultiLayerNetwork read(byte[] bytes) {
        try {
            return SafeModelReader.read(new ByteArrayInputStream(bytes), "the broadcast model", false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
