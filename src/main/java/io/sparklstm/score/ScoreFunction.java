package io.sparklstm.score;

import io.sparklstm.model.BroadcastModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores a partition's images on an executor: every {@code batchSize} images go through the broadcast model as one
 * minibatch. Each image gives a row {@code (id, prediction, probability[, label])}.
 */
final class ScoreFunction implements FlatMapFunction<Iterator<ImageBlock>, Row> {

    private final BroadcastModel model;
    private final int batchSize;
    private final boolean withLabels;

    ScoreFunction(BroadcastModel model, int batchSize, boolean withLabels) {
        this.model = model;
        this.batchSize = batchSize;
        this.withLabels = withLabels;
    }

    @Override
    public Iterator<Row> call(Iterator<ImageBlock> blocks) {
        List<Row> rows = new ArrayList<>();
        while (blocks.hasNext()) {
            ImageBlock block = blocks.next();
            for (int first = 0; first < block.size(); first += batchSize) {
                int n = Math.min(batchSize, block.size() - first);
                double[][] probabilities = model.probabilities(block.pixels(), first, n);
                for (int i = 0; i < n; i++) {
                    double[] p = probabilities[i];
                    long id = block.ids()[first + i];
                    int prediction = BroadcastModel.argmax(p);
                    rows.add(
                            withLabels
                                    ? RowFactory.create(id, prediction, p, block.labels()[first + i])
                                    : RowFactory.create(id, prediction, p));
                }
            }
        }
        return rows.iterator();
    }
}
