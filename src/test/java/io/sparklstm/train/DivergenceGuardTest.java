package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.common.DivergedException;
import io.sparklstm.data.StagedSplit;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Non-finite parameters stop training after the first averaging round, on real workers. */
class DivergenceGuardTest {

    @TempDir
    Path tmp;

    @Test
    void nonFiniteParametersStopTheEpochAfterTheFirstRound() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        StagedSplit train = Mnist.stageTrain(sc, tmp, 640, 32);
        MultiLayerNetwork network = Fixtures.network(16, 1e-3, 42).newNetwork();
        network.params().putScalar(0, Double.NaN);
        DistributedTrainer trainer = new DistributedTrainer(sc, network, Fixtures.settings(2, 32, 5, 0, 7));

        DivergedException e = assertThrows(DivergedException.class, () -> trainer.fitEpoch(1, train));

        assertTrue(e.getMessage().contains("epoch 1, round 1"), e.getMessage());
        assertTrue(e.getMessage().contains("--learning-rate"), e.getMessage());
    }
}
