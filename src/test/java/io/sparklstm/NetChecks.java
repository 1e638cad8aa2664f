package io.sparklstm;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** What the tests that compare two networks (or layers) measure on them. */
public final class NetChecks {

    private NetChecks() {}

    /** The largest absolute element-wise difference of two arrays of one shape, computed in double. */
    public static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE)
                .sub(b.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }

    /**
     * The network's loss on {@code batch}, with its gradients left in {@code net.getGradientsViewArray()}; the
     * dropout masks drawn from ND4J's generator seeded with {@code maskSeed}, so two networks get the same masks.
     */
    public static double lossAndGradients(MultiLayerNetwork net, DataSet batch, long maskSeed) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        Nd4j.getRandom().setSeed(maskSeed);
        net.computeGradientAndScore();
        return net.score();
    }
}
