package io.sparklstm.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** A worker-side hook that runs one action before every minibatch a worker fits, and nothing after it. */
abstract class MinibatchHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    /** Runs on the worker's thread before it fits a minibatch. */
    abstract void beforeMinibatch();

    @Override
    public final void preUpdate(DataSet minibatch, Model model) {
        beforeMinibatch();
    }

    @Override
    public final void preUpdate(MultiDataSet minibatch, Model model) {
        beforeMinibatch();
    }

    @Override
    public final void postUpdate(DataSet minibatch, Model model) {}

    @Override
    public final void postUpdate(MultiDataSet minibatch, Model model) {}
}
