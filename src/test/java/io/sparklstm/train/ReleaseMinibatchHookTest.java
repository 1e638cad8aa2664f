package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.data.Minibatches;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Freeing a fitted minibatch: its arrays are released, the network trains on exactly as if they had been left to the
 * garbage collector, and arrays ND4J cannot free on their own are left alone.
 */
class ReleaseMinibatchHookTest {

    @Test
    void fittedMinibatchesAreFreedAndTrainingIsUnchanged() {
        byte[] pixels = Mnist.imageBytes("train-images-idx3-ubyte", 96);
        byte[] labels = Mnist.labelBytes("train-labels-idx1-ubyte", 96);
        MultiLayerNetwork released = Fixtures.network(16, 1e-3, 42).newNetwork();
        MultiLayerNetwork kept = Fixtures.network(16, 1e-3, 42).newNetwork();
        ReleaseMinibatchHook hook = new ReleaseMinibatchHook();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int first = 0; first < 96; first += 32) {
                DataSet batch = Minibatches.of(pixels, labels, first, 32);
                released.fit(batch);
                hook.postUpdate(batch, released);
                assertTrue(batch.getFeatures().wasClosed(), "features freed");
                assertTrue(batch.getLabels().wasClosed(), "labels freed");
                kept.fit(Minibatches.of(pixels, labels, first, 32));
            }
        }
        assertArrayEquals(kept.params().toFloatVector(), released.params().toFloatVector());
        assertArrayEquals(
                kept.getUpdater().getStateViewArray().toFloatVector(),
                released.getUpdater().getStateViewArray().toFloatVector());
    }

    @Test
    void viewsAndWorkspaceArraysAreLeftToNd4j() {
        INDArray whole = Nd4j.rand(8, 10);
        INDArray view = whole.get(NDArrayIndex.interval(0, 4));
        new ReleaseMinibatchHook().postUpdate(new DataSet(view, view), null);
        assertFalse(whole.wasClosed());
        assertFalse(view.wasClosed());
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager()
                .getAndActivateWorkspace(WorkspaceConfiguration.builder().build(), "release-hook-test")) {
            INDArray attached = Nd4j.rand(4, 10);
            new ReleaseMinibatchHook().postUpdate(new DataSet(attached, attached), null);
            assertFalse(attached.wasClosed());
            assertTrue(attached.isAttached());
        }
    }
}
