package io.sparklstm.ml;

import io.sparklstm.data.StagedSplit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import scala.Tuple2;

/** Writes a DataFrame's {@code (features, label)} rows as the trainer's minibatch files, one Spark job. */
final class DatasetStager {

    private DatasetStager() {}

    /** @param rows the features column first, the label second */
    static StagedSplit stage(Dataset<Row> rows, String featuresCol, String labelCol, int batchSize, Path dir) {
        JavaSparkContext sc =
                JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        sc.setJobDescription("stage training minibatches from " + featuresCol + " and " + labelCol);
        List<Tuple2<String, Integer>> files;
        try {
            files = new ArrayList<>(rows.javaRDD()
                    .mapPartitionsWithIndex(
                            new StageRowsFunction(
                                    BroadcastHadoopConfigHolder.get(sc),
                                    dir.toString(),
                                    batchSize,
                                    featuresCol,
                                    labelCol),
                            false)
                    .collect());
        } finally {
            sc.setJobDescription(null);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("cannot fit on an empty data set");
        }
        files.sort(Comparator.comparing(Tuple2::_1));
        List<String> paths = new ArrayList<>();
        int examples = 0;
        for (Tuple2<String, Integer> file : files) {
            paths.add(file._1());
            examples += file._2();
        }
        return new StagedSplit("train", paths, examples, batchSize);
    }
}
