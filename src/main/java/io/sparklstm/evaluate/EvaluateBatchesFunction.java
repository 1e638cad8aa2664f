package io.sparklstm.evaluate;

import io.sparklstm.data.MinibatchFile;
import io.sparklstm.data.Minibatches;
import io.sparklstm.data.StagedFileCache;
import io.sparklstm.model.NativeThreads;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Runs on an executor: scores one partition of minibatch files with a network rebuilt from the broadcast
 * configuration and parameters, and returns the partition's {@link Evaluation} for the driver to merge.
 */
final class EvaluateBatchesFunction implements FlatMapFunction<Iterator<String>, Evaluation> {

    private final Broadcast<String> configurationJson;
    private final Broadcast<INDArray> parameters;
    private final Broadcast<SerializableHadoopConfig> hadoop;
    private final int threadsPerTask;

    EvaluateBatchesFunction(
            Broadcast<String> configurationJson,
            Broadcast<INDArray> parameters,
            Broadcast<SerializableHadoopConfig> hadoop,
            int threadsPerTask) {
        this.configurationJson = configurationJson;
        this.parameters = parameters;
        this.hadoop = hadoop;
        this.threadsPerTask = threadsPerTask;
    }

    @Override
    public Iterator<Evaluation> call(Iterator<String> paths) throws IOException {
        Evaluation evaluation = new Evaluation(Minibatches.CLASSES);
        if (!paths.hasNext()) {
            return Collections.singletonList(evaluation).iterator();
        }
        NativeThreads.limitOnce(threadsPerTask);
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson.value()));
        net.init(parameters.value(), false); // read-only use: no copy of the parameters
        Configuration conf = hadoop.value().getConfiguration();
        while (paths.hasNext()) {
            Path file = new Path(paths.next());
            byte[] bytes = StagedFileCache.jvm()
                    .bytes(file.toString(), () -> file.getFileSystem(conf).open(file));
            DataSet batch = MinibatchFile.read(bytes, file.toString()).toDataSet();
            evaluation.eval(batch.getLabels(), net.output(batch.getFeatures(), false));
        }
        return Collections.singletonList(evaluation).iterator();
    }
}
