package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.config.GemmMode;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.model.SeedNetwork;
import io.sparklstm.model.fastlstm.GemmSelection;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --gemm bf16} trains the real network (128 units) on real MNIST with two workers about as well as FP32: the
 * BF16 path must not lower the accuracy reached. On a CPU without BF16 instructions the products are emulated with
 * the same numerics (see {@code Bf16Matmul}), so this holds everywhere the test runs.
 */
class Bf16TrainingTest {

    /** Two short trainings from the same seed differ by chance as well; a real numeric problem costs far more. */
    private static final double TOLERANCE = 0.03;

    @TempDir
    Path tmp;

    @AfterEach
    void restoreDefault() {
        GemmSelection.select(GemmMode.AUTO, 1);
    }

    @Test
    void bf16ReachesTheAccuracyOfFp32() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        StagedSplit train = Mnist.stageTrain(sc, tmp, 1920, 32);
        SeedNetwork seed = Fixtures.seedNetwork("--learning-rate", "0.004", "--seed", "3");
        MultiLayerNetwork fp32 = train(sc, seed, "fp32", train);
        MultiLayerNetwork bf16 = train(sc, seed, "bf16", train);
        double a32 = Mnist.testAccuracy(fp32, 1000);
        double a16 = Mnist.testAccuracy(bf16, 1000);
        double paramDiff = fp32.params().sub(bf16.params()).amaxNumber().doubleValue();
        System.out.printf(
                "test accuracy after 2 epochs of 1,920 images: FP32 %.3f, BF16 %.3f; max param diff %.3g%n",
                a32, a16, paramDiff);
        assertTrue(a32 > 0.6, "FP32 training did not learn: " + a32);
        assertTrue(a16 >= a32 - TOLERANCE, "BF16 accuracy " + a16 + " below FP32's " + a32);
        assertTrue(paramDiff > 1e-4, "BF16 and FP32 trained identical parameters: BF16 was not used");
    }

    private static MultiLayerNetwork train(JavaSparkContext sc, SeedNetwork seed, String gemm, StagedSplit train) {
        DistributedTrainer trainer = new DistributedTrainer(
                sc, seed.newNetwork(), Fixtures.twoWorkers("--averaging-frequency", "10", "--gemm", gemm));
        trainer.fitEpoch(1, train);
        trainer.fitEpoch(2, train);
        return trainer.network();
    }
}
