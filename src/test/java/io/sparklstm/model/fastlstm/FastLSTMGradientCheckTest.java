package io.sparklstm.model.fastlstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Finite-difference check of FastLSTM's analytic gradients with DL4J's GradientCheckUtil (double precision). */
class FastLSTMGradientCheckTest {

    private DataType defaultType;
    private DataType defaultFloatingType;

    @BeforeEach
    void doublePrecision() { // GradientCheckUtil insists on the global default being DOUBLE
        defaultType = Nd4j.dataType();
        defaultFloatingType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restorePrecision() {
        Nd4j.setDefaultDataTypes(defaultType, defaultFloatingType);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int nIn = 3, hidden1 = 4, hidden2 = 5, classes = 3, t = 4, batch = 3;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .dist(new NormalDistribution(0, 1))
                .list()
                .layer(new FastLSTM.Builder().nOut(hidden1).build())
                .layer(new LastTimeStep(new FastLSTM.Builder()
                        .nOut(hidden2)
                        .forgetGateBiasInit(0.5)
                        .build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(nIn, t))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = LstmNets.features(batch, nIn, t, DataType.DOUBLE, 3);
        INDArray y = LstmNets.labels(batch, classes, DataType.DOUBLE, 3);

        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net)
                .input(x)
                .labels(y)
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed (see log)");
    }
}
