package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.model.SeedNetwork;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link FastAdam} against ND4J's native Adam: the same updates and moments, step after step, from the same state
 * layout; and the seed network's configuration keeps it through JSON and cloning.
 */
class FastAdamTest {

    /**
     * Both compute in float from the same formula with the same roundings of the bias correction. Measured here:
     * bit-identical; the bound allows a few ulps should a JIT ever contract a multiply-add.
     */
    private static final double REL_TOL = 1e-6;

    @Test
    void matchesNd4jsAdamOverManySteps() {
        int n = 10_007; // not a multiple of the chunk, and several chunks
        Adam nd4jAdam = new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.004, 0.9));
        FastAdam fast = new FastAdam(nd4jAdam.getLearningRateSchedule());
        INDArray nativeState = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
        INDArray fastState = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
        GradientUpdater<?> reference = nd4jAdam.instantiate(nativeState, true);
        GradientUpdater<?> updater = fast.instantiate(fastState, true);
        assertInstanceOf(FastAdam.Updater.class, updater);
        Nd4j.getRandom().setSeed(7);
        for (int iteration = 0; iteration < 30; iteration++) {
            INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, n).muli(Math.pow(10, -(iteration % 5)));
            INDArray expected = gradient.dup();
            INDArray actual = gradient.dup();
            reference.applyUpdater(expected, iteration, 0);
            updater.applyUpdater(actual, iteration, 0);
            assertClose(expected, actual, "update at iteration " + iteration);
        }
        assertClose(nativeState, fastState, "moments after 30 steps");
    }

    @Test
    void stridedViewsFallBackToTheNativeOp() {
        int n = 64;
        INDArray everyOther = Nd4j.zeros(DataType.FLOAT, 1, 2L * n)
                .get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 2, 2L * n))
                .reshape(1, n);
        assertTrue(everyOther.elementWiseStride() != 1, "the test needs a strided view");
        GradientUpdater<?> updater = new FastAdam(0.01).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true);
        INDArray stridedGradient = everyOther.assign(1);
        INDArray expectedGradient = Nd4j.ones(DataType.FLOAT, 1, n);
        GradientUpdater<?> reference = new Adam(0.01).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true);
        reference.applyUpdater(expectedGradient, 0, 0);
        updater.applyUpdater(stridedGradient, 0, 0);
        assertClose(expectedGradient, stridedGradient, "update of a strided gradient");
    }

    @Test
    void theSeedNetworkTrainsWithItThroughJsonAndClones() {
        MultiLayerConfiguration conf = SeedNetwork.from(Fixtures.config()).configuration();
        MultiLayerConfiguration reread = MultiLayerConfiguration.fromJson(conf.toJson());
        for (MultiLayerConfiguration c : new MultiLayerConfiguration[] {conf, reread, reread.clone()}) {
            for (var layer : c.getConfs()) {
                BaseLayer base = (BaseLayer)
                        (layer.getLayer() instanceof BaseLayer b
                                ? b
                                : ((org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer) layer.getLayer())
                                        .getUnderlying());
                assertInstanceOf(FastAdam.class, base.getIUpdater());
                assertTrue(base.getIUpdater().getLearningRate(0, 3) < 0.004, "the epoch schedule is kept");
            }
        }
        MultiLayerNetwork net = new MultiLayerNetwork(reread);
        net.init();
        net.fit(
                Nd4j.rand(DataType.FLOAT, 4, 28, 28),
                Nd4j.eye(10).getRows(0, 1, 2, 3).castTo(DataType.FLOAT));
        assertTrue(Double.isFinite(net.score()));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-30, expected.norm2Number().doubleValue());
        double diff = expected.sub(actual).norm2Number().doubleValue();
        assertTrue(diff / scale < REL_TOL, what + ": relative difference " + diff / scale);
    }
}
