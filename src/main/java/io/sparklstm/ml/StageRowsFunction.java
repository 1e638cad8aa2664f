package io.sparklstm.ml;

import io.sparklstm.data.MinibatchFile;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.datavec.spark.util.SerializableHadoopConfig;
import scala.Tuple2;

/**
 * Writes one partition of {@code (features, label)} rows as minibatch files of {@code batchSize} examples
 * ({@link MinibatchFile#writeFloats}), named by partition and batch so that their sorted order is the rows' order.
 * Returns each file's path and example count.
 */
final class StageRowsFunction implements Function2<Integer, Iterator<Row>, Iterator<Tuple2<String, Integer>>> {

    private final Broadcast<SerializableHadoopConfig> hadoop;
    private final String dir;
    private final int batchSize;
    private final String featuresCol;
    private final String labelCol;

    StageRowsFunction(
            Broadcast<SerializableHadoopConfig> hadoop,
            String dir,
            int batchSize,
            String featuresCol,
            String labelCol) {
        this.hadoop = hadoop;
        this.dir = dir;
        this.batchSize = batchSize;
        this.featuresCol = featuresCol;
        this.labelCol = labelCol;
    }

    @Override
    public Iterator<Tuple2<String, Integer>> call(Integer partition, Iterator<Row> rows) throws IOException {
        FileSystem fs = new Path(dir).getFileSystem(hadoop.getValue().getConfiguration());
        List<Tuple2<String, Integer>> files = new ArrayList<>();
        float[] values = new float[batchSize * FeatureColumn.VALUES];
        byte[] labels = new byte[batchSize];
        int count = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            FeatureColumn.copy(row, 0, featuresCol, values, count * FeatureColumn.VALUES);
            labels[count++] = label(row);
            if (count == batchSize || !rows.hasNext()) {
                Path file = new Path(dir, String.format("part-%05d-batch-%07d.bin", partition, files.size()));
                try (OutputStream out = fs.create(file, true)) {
                    MinibatchFile.writeFloats(out, values, labels, count);
                }
                files.add(new Tuple2<>(fs.makeQualified(file).toString(), count));
                count = 0;
            }
        }
        return files.iterator();
    }

    private byte label(Row row) {
        double label = row.isNullAt(1) ? Double.NaN : ((Number) row.get(1)).doubleValue();
        if (!(label >= 0 && label <= 9 && label == Math.rint(label))) {
            throw new IllegalArgumentException(
                    "labelCol '" + labelCol + "': expected a class 0-9, found " + (row.isNullAt(1) ? "null" : label));
        }
        return (byte) label;
    }
}
