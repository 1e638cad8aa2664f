package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * Both compute in float from the same formula with the same roundings of the bias correction, so they must agree
     * bit for bit: a difference in the last bit of one step makes a seed's run take another path within an epoch.
     */
    @Test
    void matchesNd4jsAdamBitForBitOverManySteps() {
        int n = 10_007; // not a multiple of the chunk, and several chunks
        Adam nd4jAdam = new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 0.004, 0.9999));
        FastAdam fast = new FastAdam(nd4jAdam.getLearningRateSchedule());
        INDArray nativeState = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
        INDArray fastState = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
        GradientUpdater<?> reference = nd4jAdam.instantiate(nativeState, true);
        GradientUpdater<?> updater = fast.instantiate(fastState, true);
        assertInstanceOf(FastAdam.Updater.class, updater);
        Nd4j.getRandom().setSeed(7);
        for (int step = 0; step < 30; step++) {
            int iteration = step * 137; // up to 3,973: past 694, where 1 - 0.999^t stops being exact in float
            INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, n).muli(Math.pow(10, -(step % 5)));
            INDArray expected = gradient.dup();
            INDArray actual = gradient.dup();
            reference.applyUpdater(expected, iteration, 0);
            updater.applyUpdater(actual, iteration, 0);
            assertSameBits(expected, actual, "update at iteration " + iteration);
        }
        assertSameBits(nativeState, fastState, "moments after 30 steps");
    }

    /**
     * The bias-corrected step size at every one of the first 4,000 iterations, from a fresh state each time. Two
     * roundings once differed: Java's {@code Math.pow} against C's {@code powf} (at iteration 3,605 only) and the
     * square root's argument in float (from iteration 693 on).
     */
    @Test
    void theStepSizeMatchesAtEveryIteration() {
        int n = 16;
        INDArray gradient = Nd4j.linspace(DataType.FLOAT, -1e-3, 2e-4, n).reshape(1, n);
        for (int iteration = 0; iteration < 4000; iteration++) {
            INDArray expected = gradient.dup();
            INDArray actual = gradient.dup();
            new Adam(0.004)
                    .instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true)
                    .applyUpdater(expected, iteration, 0);
            new FastAdam(0.004)
                    .instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true)
                    .applyUpdater(actual, iteration, 0);
            assertSameBits(expected, actual, "update at iteration " + iteration);
        }
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
        assertSameBits(expectedGradient, stridedGradient, "update of a strided gradient");
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

    private static void assertSameBits(INDArray expected, INDArray actual, String what) {
        float[] e = expected.toFloatVector();
        float[] a = actual.toFloatVector();
        int differing = 0;
        int first = -1;
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                differing++;
                first = first < 0 ? i : first;
            }
        }
        assertEquals(
                0,
                differing,
                what + ": elements differing from ND4J's, first at " + first
                        + (first < 0 ? "" : " (" + e[first] + " against " + a[first] + ")"));
    }
}
