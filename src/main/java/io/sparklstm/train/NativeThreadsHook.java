package io.sparklstm.train;

import io.sparklstm.model.NativeThreads;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Applies {@link NativeThreads#limitOnce} on each executor before its first minibatch. */
final class NativeThreadsHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    private final int threadsPerTask;

    NativeThreadsHook(int threadsPerTask) {
        this.threadsPerTask = threadsPerTask;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        NativeThreads.limitOnce(threadsPerTask);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {}

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        NativeThreads.limitOnce(threadsPerTask);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {}
}
