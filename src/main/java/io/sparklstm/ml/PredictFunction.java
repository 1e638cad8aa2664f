package io.sparklstm.ml;

import io.sparklstm.model.BroadcastModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Predicts a partition's rows in minibatches of {@code blockSize} with the broadcast model, appending the prediction
 * (a double) and the probabilities (a Vector) to every row. Rows are buffered one minibatch at a time.
 */
final class PredictFunction implements FlatMapFunction<Iterator<Row>, Row> {

    private final BroadcastModel model;
    private final int featuresField;
    private final String featuresCol;
    private final int blockSize;

    PredictFunction(BroadcastModel model, int featuresField, String featuresCol, int blockSize) {
        this.model = model;
        this.featuresField = featuresField;
        this.featuresCol = featuresCol;
        this.blockSize = blockSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private final List<Row> batch = new ArrayList<>(blockSize);
            private final float[] images = new float[blockSize * FeatureColumn.VALUES];
            private List<Row> scored = List.of();
            private int next;

            @Override
            public boolean hasNext() {
                if (next == scored.size() && rows.hasNext()) {
                    scoreNextBatch();
                }
                return next < scored.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return scored.get(next++);
            }

            private void scoreNextBatch() {
                batch.clear();
                while (batch.size() < blockSize && rows.hasNext()) {
                    Row row = rows.next();
                    FeatureColumn.copy(row, featuresField, featuresCol, images, batch.size() * FeatureColumn.VALUES);
                    batch.add(row);
                }
                double[][] probabilities = model.probabilities(images, 0, batch.size());
                List<Row> out = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    Row row = batch.get(i);
                    Object[] values = new Object[row.length() + 2];
                    for (int f = 0; f < row.length(); f++) {
                        values[f] = row.get(f);
                    }
                    values[row.length()] = (double) BroadcastModel.argmax(probabilities[i]);
                    values[row.length() + 1] = Vectors.dense(probabilities[i]);
                    out.add(RowFactory.create(values));
                }
                scored = out;
                next = 0;
            }
        };
    }
}
