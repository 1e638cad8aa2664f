package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.data.StagedSplit;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.model.SeedNetwork;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag$;

/** Arrays and a whole averaging-round broadcast survive Spark's Kryo serializer with the job's registrator. */
class BulkNd4jKryoRegistratorTest {

    private final SerializerInstance kryo = new KryoSerializer(new SparkConf()
                    .set("spark.kryo.registrator", BulkNd4jKryoRegistrator.class.getName())
                    .set("spark.kryo.registrationRequired", "true"))
            .newInstance();

    @TempDir
    Path tmp;

    @Test
    void aFullRoundTrainsAndEvaluatesOnLocal2WithRegistrationRequired() throws IOException {
        JavaSparkContext sc = TestSpark.context();
        assertEquals("true", sc.getConf().get("spark.kryo.registrationRequired"), "the job's own setting");
        StagedSplit split = Mnist.stageTrain(sc, tmp, 640, 32);
        SeedNetwork seed = Fixtures.seedNetwork(
                "--lstm-units",
                "16",
                "--learning-rate",
                "1e-2",
                "--lr-decay",
                "0.9",
                "--dropout",
                "0.3",
                "--seed",
                "42",
                "--lstm-impl",
                "fast");
        DistributedTrainer trainer = new DistributedTrainer(
                sc,
                seed.newNetwork(),
                Fixtures.trainingSettings(
                        "--workers",
                        "2",
                        "--batch-size",
                        "32",
                        "--averaging-frequency",
                        "10",
                        "--prefetch-batches",
                        "1",
                        "--seed",
                        "7",
                        "--augment-shift",
                        "2"));
        assertEquals(1, trainer.fitEpoch(1, split).rounds());
        double accuracy = new DistributedEvaluator(sc)
                .evaluate(trainer.network(), split, "the trained network")
                .accuracy();
        assertTrue(accuracy >= 0 && accuracy <= 1);
    }

    @Test
    void everyKindOfArrayRoundTrips() {
        Nd4j.getRandom().setSeed(1);
        INDArray matrix = Nd4j.rand(DataType.DOUBLE, 7, 5);
        INDArray[] arrays = {
            Nd4j.rand(DataType.FLOAT, 1, 100_000), // a flat parameter vector
            Nd4j.rand(DataType.FLOAT, 4, 6, 3).dup('f'), // f-ordered
            matrix,
            matrix.get(NDArrayIndex.all(), NDArrayIndex.point(2)), // a strided view
            Nd4j.createFromArray(1, -2, 3), // integers
            Nd4j.scalar(2.5f),
            Nd4j.empty(DataType.FLOAT),
        };
        for (INDArray a : arrays) {
            INDArray back = roundTrip(a);
            assertEquals(a.dataType(), back.dataType(), a.shapeInfoToString());
            assertArrayEquals(a.shape(), back.shape(), a.shapeInfoToString());
            assertEquals(a, back, a.shapeInfoToString());
        }
    }

    @Test
    void roundBroadcastRoundTrips() {
        MultiLayerNetwork net = Fixtures.network(16, 1e-3, 7).newNetwork();
        net.initGradientsView();
        INDArray updaterState = Nd4j.rand(DataType.FLOAT, 1, net.numParams() * 2);
        NetBroadcastTuple back =
                roundTrip(new NetBroadcastTuple(net.getLayerWiseConfigurations(), net.params(), updaterState));
        assertEquals(net.getLayerWiseConfigurations(), back.getConfiguration());
        assertEquals(net.params(), back.getParameters());
        assertEquals(updaterState, back.getUpdaterState());
    }

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(Object.class));
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
    }
}
