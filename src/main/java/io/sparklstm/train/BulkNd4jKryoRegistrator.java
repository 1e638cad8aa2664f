package io.sparklstm.train;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spark's Kryo registrator for this job: everything DL4J's {@link Nd4jRegistrator} registers, but ND4J arrays are
 * written as one block of bytes instead of ND4J's {@code Nd4j.write}, which emits one {@code writeFloat} per element
 * (and reads back one {@code readFloat} per element). Every averaging round ships the parameters and the Adam state
 * (about a million floats) to each worker in the broadcast and back in each task result, so this is on the critical
 * path of every round. Arrays it does not handle (strings, compressed) fall back to ND4J's format; empty arrays, which
 * ND4J's format cannot write, are written as their type and shape.
 */
public final class BulkNd4jKryoRegistrator implements KryoRegistrator {

    /**
     * Every other class the job's Spark jobs ship through Kryo (broadcasts, task results, shuffles), so that Spark can
     * run with {@code spark.kryo.registrationRequired=true}: an unregistered class fails loudly instead of being
     * written with its full name, and nothing else can be smuggled in by name. Found by training, evaluating and
     * staging with the setting on; {@code KryoRegistrationTest} keeps the list complete.
     */
    static final List<String> CLASSES = List.of(
            "org.nd4j.common.primitives.AtomicBoolean",
            "org.nd4j.common.primitives.Counter",
            "org.nd4j.shade.guava.collect.HashMultiset",
            "java.util.concurrent.ConcurrentHashMap",
            "org.nd4j.evaluation.classification.ConfusionMatrix",
            "org.nd4j.evaluation.classification.Evaluation",
            "org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple",
            "org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult",
            "java.util.concurrent.atomic.AtomicInteger",
            "java.util.HashMap",
            "org.deeplearning4j.nn.conf.WorkspaceMode",
            "org.nd4j.linalg.lossfunctions.impl.LossMCXENT",
            "org.nd4j.linalg.activations.impl.ActivationSoftmax",
            "org.deeplearning4j.nn.conf.layers.OutputLayer",
            "io.sparklstm.model.FastOutput",
            "org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep",
            "io.sparklstm.model.PerThreadDropout",
            "org.deeplearning4j.nn.api.OptimizationAlgorithm",
            "org.deeplearning4j.nn.weights.WeightInitXavier",
            "org.deeplearning4j.nn.conf.RNNFormat",
            "org.nd4j.linalg.schedule.ScheduleType",
            "org.nd4j.linalg.schedule.ExponentialSchedule",
            "org.nd4j.linalg.learning.config.Adam",
            "io.sparklstm.model.fastlstm.FastAdam",
            "org.deeplearning4j.nn.conf.GradientNormalization",
            "org.nd4j.linalg.activations.impl.ActivationTanH",
            "io.sparklstm.model.fastlstm.FastLSTM",
            "org.nd4j.linalg.api.buffer.DataType",
            "org.deeplearning4j.nn.conf.NeuralNetConfiguration",
            "java.util.ArrayList",
            "org.deeplearning4j.nn.conf.CacheMode",
            "org.deeplearning4j.nn.conf.BackpropType",
            "org.deeplearning4j.nn.conf.MultiLayerConfiguration",
            "org.deeplearning4j.spark.api.worker.NetBroadcastTuple",
            "io.sparklstm.data.Shard",
            "java.util.LinkedHashMap",
            "org.datavec.spark.util.SerializableHadoopConfig",
            // The score command: its IDX images travel in the partitions of a parallelized collection, and Parquet's
            // schema inference returns schemas as task results.
            "io.sparklstm.score.ImageBlock",
            "org.apache.spark.sql.types.StructType",
            "org.apache.spark.sql.types.StructField",
            "[Lorg.apache.spark.sql.types.StructField;",
            "[Lorg.apache.spark.sql.types.StructType;",
            "org.apache.spark.sql.types.ArrayType",
            "org.apache.spark.sql.types.Metadata",
            "org.apache.spark.sql.types.FloatType$",
            "org.apache.spark.sql.types.DoubleType$",
            "org.apache.spark.sql.types.LongType$",
            "org.apache.spark.sql.types.IntegerType$",
            "org.apache.spark.sql.types.ByteType$",
            "org.apache.spark.sql.types.BinaryType$",
            "org.apache.spark.sql.types.StringType$",
            "scala.collection.immutable.Map$EmptyMap$");

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new BulkSerializer()); // replaces ND4J's serializer
        for (String name : CLASSES) {
            try {
                kryo.register(Class.forName(name, false, Thread.currentThread().getContextClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Kryo registration: class " + name + " is missing", e);
            }
        }
    }

    /** Dense numeric arrays as dtype, shape and raw bytes (native byte order: sender and receiver share it). */
    static final class BulkSerializer extends Serializer<INDArray> {

        private static final byte ND4J_FORMAT = 0;
        private static final byte BULK = 1;
        private static final byte EMPTY = 2;

        @Override
        public void write(Kryo kryo, Output output, INDArray array) {
            if (array.isCompressed() || !array.dataType().isNumerical()) {
                output.writeByte(ND4J_FORMAT);
                try {
                    Nd4j.write(array, new DataOutputStream(output));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return;
            }
            output.writeByte(array.isEmpty() ? EMPTY : BULK);
            output.writeString(array.dataType().name());
            output.writeInt(array.rank());
            for (long dim : array.shape()) {
                output.writeLong(dim);
            }
            if (array.isEmpty()) {
                return;
            }
            INDArray dense =
                    array.isView() || array.ordering() != 'c' || array.data().length() != array.length()
                            ? array.dup('c')
                            : array;
            byte[] bytes =
                    new byte[Math.toIntExact(dense.length() * dense.dataType().width())];
            dense.data().asNio().get(bytes);
            output.writeInt(bytes.length);
            output.writeBytes(bytes);
        }

        @Override
        public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
            byte format = input.readByte();
            if (format == ND4J_FORMAT) {
                return Nd4j.read(new DataInputStream(input));
            }
            DataType dataType = DataType.valueOf(input.readString());
            long[] shape = new long[input.readInt()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = input.readLong();
            }
            if (format == EMPTY) {
                return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape);
            }
            byte[] bytes = input.readBytes(input.readInt());
            INDArray array = Nd4j.createUninitialized(dataType, shape, 'c');
            ByteBuffer target = array.data().asNio();
            target.put(bytes);
            return array;
        }
    }
}
