package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/** JSON and ModelSerializer round trips, and the unsupported features failing loudly. */
class FastLSTMSerializationTest {

    private static final int N_IN = 6, HIDDEN = 8, CLASSES = 4, T = 5, BATCH = 3;

    @Test
    void jsonRoundTrip() {
        MultiLayerConfiguration conf = LstmNets.conf(true, N_IN, HIDDEN, CLASSES, T, DataType.FLOAT, new Adam(1e-3), 7);
        String json = conf.toJson();
        assertTrue(json.contains(FastLSTM.class.getName()), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        FastLSTM inner = (FastLSTM) ((LastTimeStep) back.getConf(2).getLayer()).getUnderlying();
        assertEquals(1.0, inner.getForgetGateBiasInit());
        assertEquals(HIDDEN, inner.getNIn());

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        MultiLayerNetwork net2 = new MultiLayerNetwork(back);
        net2.init(net.params().dup(), false);
        INDArray x = LstmNets.features(BATCH, N_IN, T, DataType.FLOAT, 1);
        assertEquals(net.output(x), net2.output(x));
    }

    @Test
    void modelSerializerRoundTrip(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = LstmNets.net(true, N_IN, HIDDEN, CLASSES, T, DataType.FLOAT, new Adam(1e-2), 7);
        net.fit(new DataSet(
                LstmNets.features(BATCH, N_IN, T, DataType.FLOAT, 2),
                LstmNets.labels(BATCH, CLASSES, DataType.FLOAT, 2))); // non-trivial updater state
        File f = new File(dir, "fastlstm.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(f, true);

        assertInstanceOf(
                FastLSTM.class, back.getLayerWiseConfigurations().getConf(0).getLayer());
        assertInstanceOf(FastLSTMLayer.class, back.getLayer(0));
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        INDArray x = LstmNets.features(BATCH, N_IN, T, DataType.FLOAT, 3);
        assertEquals(net.output(x), back.output(x));
        // and both keep training identically
        DataSet ds = new DataSet(x, LstmNets.labels(BATCH, CLASSES, DataType.FLOAT, 3));
        net.fit(ds);
        back.fit(ds);
        assertEquals(net.params(), back.params());
    }

    @Test
    void masksAndStatefulUseAreRejected() {
        MultiLayerNetwork net = LstmNets.net(true, N_IN, HIDDEN, CLASSES, T, DataType.FLOAT, new Adam(1e-3), 7);
        INDArray x = LstmNets.features(BATCH, N_IN, T, DataType.FLOAT, 4);
        INDArray mask = org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, BATCH, T);
        assertThrows(UnsupportedOperationException.class, () -> net.output(x, false, mask, null));
        assertThrows(UnsupportedOperationException.class, () -> net.rnnTimeStep(x));
    }
}
