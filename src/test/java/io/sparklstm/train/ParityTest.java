package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.SeedNetwork;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one worker, parameter averaging is the identity: distributed training must give exactly the parameters that
 * plain single-machine training gives on the same minibatches in the same order (including Adam's state, carried
 * across averaging rounds and epochs).
 */
class ParityTest {

    @TempDir
    Path tmp;

    @Test
    void oneWorkerEqualsSingleMachineTraining() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        StagedSplit train = Mnist.stageTrain(sc, tmp, 640, 32);
        SeedNetwork seed = Fixtures.network(16, 1e-3, 42);
        TrainingSettings settings = Fixtures.settings(1, 32, 5, 2, 7);

        DistributedTrainer distributed = new DistributedTrainer(sc, seed.newNetwork(), settings);
        distributed.fitEpoch(1, train);
        distributed.fitEpoch(2, train);

        MultiLayerNetwork local = seed.newNetwork();
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (String path : EpochPlan.of(train.batchPaths(), 1, 5, 7, epoch).order()) {
                local.fit(Mnist.loadBatch(path));
            }
        }

        MultiLayerNetwork trained = distributed.network();
        assertEquals(local.getIterationCount(), trained.getIterationCount());
        assertEquals(2, trained.getEpochCount());
        double maxDifference = trained.params().sub(local.params()).amaxNumber().doubleValue();
        assertEquals(0.0, maxDifference, 1e-6, "largest parameter difference");
        // And training did move the parameters.
        assertEquals(
                true,
                trained.params().sub(seed.newNetwork().params()).amaxNumber().doubleValue() > 1e-3);
    }
}
