package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The regularisers under parameter averaging with two workers in one JVM (Spark local[2]): dropout masks of the
 * workers do not collide (see {@link io.sparklstm.model.PerThreadDropout}), shifted images are made on the workers,
 * and the same seed gives the same trained parameters however Spark schedules the tasks on its threads.
 */
class RegularisedTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void twoWorkersWithDropoutAndShiftedImagesTrainReproducibly() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        StagedSplit train = Mnist.stageTrain(sc, tmp, 640, 32);
        SeedNetwork dropout = Fixtures.smallNetwork("--dropout", "0.3");
        SeedNetwork noDropout = Fixtures.smallNetwork("--dropout", "0.0");
        TrainingSettings shifted = Fixtures.twoWorkers("--augment-shift", "2");
        TrainingSettings unshifted = Fixtures.twoWorkers("--augment-shift", "0");

        INDArray first = train(sc, dropout, shifted, train);
        INDArray second = train(sc, dropout, shifted, train);
        INDArray withoutDropout = train(sc, noDropout, shifted, train);
        INDArray withoutShifts = train(sc, dropout, unshifted, train);

        assertEquals(0.0, first.sub(second).amaxNumber().doubleValue(), 0.0, "same seed, same parameters");
        assertTrue(first.sub(withoutDropout).amaxNumber().doubleValue() > 1e-4, "dropout changed training");
        assertTrue(first.sub(withoutShifts).amaxNumber().doubleValue() > 1e-4, "shifted images changed training");
    }

    private static INDArray train(JavaSparkContext sc, SeedNetwork seed, TrainingSettings settings, StagedSplit train) {
        DistributedTrainer trainer = new DistributedTrainer(sc, seed.newNetwork(), settings);
        trainer.fitEpoch(1, train);
        trainer.fitEpoch(2, train);
        MultiLayerNetwork net = trainer.network();
        return net.params().dup();
    }
}
