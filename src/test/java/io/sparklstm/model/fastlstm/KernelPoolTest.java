package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparklstm.Fixtures;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Two networks on one thread share the pooled buffers of a layer slot, and neither backpropagates the other's state. */
class KernelPoolTest {

    private static final int UNITS = 16, BATCH = 5, STEPS = 7;

    @Test
    void interleavedNetworksOnOneThreadKeepTheirOwnGradients() {
        Layer a = secondLstm(1);
        Layer b = secondLstm(2); // same slot (layer 1, 16 -> 16): the same pooled kernel
        INDArray x = Nd4j.rand(DataType.FLOAT, 'f', BATCH, UNITS, STEPS);
        INDArray eps = Nd4j.rand(DataType.FLOAT, 'f', BATCH, UNITS, STEPS);

        a.activate(x.dup('f'), true, LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> alone = copy(a.backpropGradient(eps.dup('f'), LayerWorkspaceMgr.noWorkspaces()));

        a.activate(x.dup('f'), true, LayerWorkspaceMgr.noWorkspaces());
        b.activate(x.dup('f'), true, LayerWorkspaceMgr.noWorkspaces()); // overwrites the shared buffers
        Pair<Gradient, INDArray> interleaved = copy(a.backpropGradient(eps.dup('f'), LayerWorkspaceMgr.noWorkspaces()));

        assertSame(
                KernelPool.forLayer(1, UNITS, UNITS, DataType.FLOAT, BATCH, STEPS),
                KernelPool.forLayer(1, UNITS, UNITS, DataType.FLOAT, BATCH, STEPS),
                "one kernel per slot and thread");
        assertEquals(alone.getSecond(), interleaved.getSecond(), "input gradient");
        assertEquals(
                alone.getFirst().gradientForVariable(),
                interleaved.getFirst().gradientForVariable(),
                "parameter gradients");
        b.activate(x.dup('f'), true, LayerWorkspaceMgr.noWorkspaces());
        assertNotEquals(
                alone.getSecond(),
                b.backpropGradient(eps.dup('f'), LayerWorkspaceMgr.noWorkspaces())
                        .getSecond(),
                "the other network's weights give another gradient");
    }

    /**
     * An epoch's last, smaller minibatch gets a kernel of its own: the full-size kernel is not reallocated when full
     * minibatches come back, and every size computes what a fresh kernel computes.
     */
    @Test
    void aSmallerMinibatchGetsItsOwnKernelAndLeavesTheFullSizeOneAlone() {
        Layer a = secondLstm(1);
        LstmKernel full = KernelPool.forLayer(1, UNITS, UNITS, DataType.FLOAT, BATCH, STEPS);
        INDArray x = Nd4j.rand(DataType.FLOAT, 'f', BATCH, UNITS, STEPS);
        INDArray small = Nd4j.rand(DataType.FLOAT, 'f', 2, UNITS, STEPS);
        INDArray before =
                a.activate(x.dup('f'), false, LayerWorkspaceMgr.noWorkspaces()).dup();
        INDArray smallOut = a.activate(small.dup('f'), false, LayerWorkspaceMgr.noWorkspaces())
                .dup();
        INDArray after =
                a.activate(x.dup('f'), false, LayerWorkspaceMgr.noWorkspaces()).dup();

        assertSame(full, KernelPool.forLayer(1, UNITS, UNITS, DataType.FLOAT, BATCH, STEPS), "full-size kernel kept");
        assertNotSame(full, KernelPool.forLayer(1, UNITS, UNITS, DataType.FLOAT, 2, STEPS), "small one apart");
        assertEquals(before, after);
        assertEquals(secondLstm(1).activate(small.dup('f'), false, LayerWorkspaceMgr.noWorkspaces()), smallOut);
    }

    private static Layer secondLstm(long seed) {
        MultiLayerNetwork net = Fixtures.smallNetwork(
                        "--lstm-units", String.valueOf(UNITS), "--dropout", "0", "--seed", String.valueOf(seed))
                .newNetwork();
        net.initGradientsView();
        return net.getLayer(1);
    }

    private static Pair<Gradient, INDArray> copy(Pair<Gradient, INDArray> p) {
        org.deeplearning4j.nn.gradient.DefaultGradient g = new org.deeplearning4j.nn.gradient.DefaultGradient();
        p.getFirst().gradientForVariable().forEach((k, v) -> g.gradientForVariable()
                .put(k, v.dup()));
        return new Pair<>(g, p.getSecond().dup());
    }
}
