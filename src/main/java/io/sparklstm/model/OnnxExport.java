package io.sparklstm.model;

import io.sparklstm.data.Minibatches;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * The trained network as an ONNX model that any ONNX runtime can serve: standard operators only (opset 14: three
 * {@code LSTM} nodes, {@code Squeeze}, {@code Gemm}, {@code Softmax}), built with the ONNX protobuf classes that
 * nd4j-api ships ({@code onnx.Onnx}).
 *
 * <p>Input {@code images}: float {@code [batch, 28, 28]}, an image's rows in order, pixels scaled to [0, 1] as in
 * training (value / 255). Output {@code probabilities}: float {@code [batch, 10]}, the softmax over the digits.
 *
 * <p>The LSTM nodes use ONNX's default {@code layout = 0} (time first: ONNX Runtime's CPU kernel supports no other),
 * so the images are transposed to {@code [28, batch, 28]} first. DL4J keeps an LSTM layer's weights as {@code W [nIn, 4n]},
 * {@code RW [n, 4n]} and {@code b [4n]}, gate blocks in its "IFOG" order: block 0 the cell candidate (tanh), 1 the
 * forget gate, 2 the output gate, 3 the input gate. ONNX wants {@code W [1, 4n, nIn]}, {@code R [1, 4n, n]} and
 * {@code B [1, 8n]} (input then recurrent bias) in the order i, o, f, c: {@link #ONNX_GATES_FROM_DL4J}. Both have no
 * peepholes, sigmoid gates and tanh for the candidate and the output.
 */
public final class OnnxExport {

    /** ONNX's gate i (input, output, forget, cell) is DL4J's block {@code ONNX_GATES_FROM_DL4J[i]}. */
    public static final int[] ONNX_GATES_FROM_DL4J = {3, 2, 1, 0};

    public static final String INPUT = "images";
    public static final String OUTPUT = "probabilities";
    public static final int OPSET = 14;

    private static final int LSTM_LAYERS = 3;

    private OnnxExport() {}

    /** The ONNX model of {@code network} (the job's network: three LSTM layers and a softmax output layer). */
    public static Onnx.ModelProto of(MultiLayerNetwork network, String producerVersion) {
        Map<String, INDArray> params = network.paramTable();
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName("sparklstm");
        graph.addInput(valueInfo(INPUT, "batch", Minibatches.STEPS, Minibatches.FEATURES));
        graph.addNode(Onnx.NodeProto.newBuilder()
                .setOpType("Transpose")
                .setName("time_first")
                .addInput(INPUT)
                .addOutput("steps")
                .addAttribute(Onnx.AttributeProto.newBuilder()
                        .setName("perm")
                        .setType(Onnx.AttributeProto.AttributeType.INTS)
                        .addAllInts(List.of(1L, 0L, 2L))));
        String x = "steps";
        int units = 0;
        for (int layer = 0; layer < LSTM_LAYERS; layer++) {
            INDArray w = params.get(layer + "_W");
            INDArray rw = params.get(layer + "_RW");
            INDArray b = params.get(layer + "_b");
            if (w == null || rw == null || b == null) {
                throw new IllegalArgumentException("layer " + layer + " is not an LSTM layer: " + params.keySet());
            }
            units = (int) rw.rows();
            String p = "lstm" + layer;
            graph.addInitializer(floats(p + "_W", lstmWeights(w, units), 1, 4L * units, w.rows()));
            graph.addInitializer(floats(p + "_R", lstmWeights(rw, units), 1, 4L * units, units));
            graph.addInitializer(floats(p + "_B", lstmBias(b, units), 1, 8L * units));
            boolean last = layer == LSTM_LAYERS - 1;
            graph.addNode(Onnx.NodeProto.newBuilder()
                    .setOpType("LSTM")
                    .setName(p)
                    .addAllInput(List.of(x, p + "_W", p + "_R", p + "_B"))
                    .addAllOutput(List.of(p + "_Y", p + "_Yh"))
                    .addAttribute(intAttribute("hidden_size", units)));
            // Y is [steps, 1, batch, n], Y_h is [1, batch, n].
            String squeezed = p + "_out";
            graph.addInitializer(longs(p + "_axes", last ? 0 : 1));
            graph.addNode(Onnx.NodeProto.newBuilder()
                    .setOpType("Squeeze")
                    .setName(p + "_squeeze")
                    .addInput(last ? p + "_Yh" : p + "_Y")
                    .addInput(p + "_axes")
                    .addOutput(squeezed));
            x = squeezed;
        }
        int dense = LSTM_LAYERS;
        INDArray w = params.get(dense + "_W");
        INDArray b = params.get(dense + "_b");
        graph.addInitializer(floats("dense_W", rowMajor(w), w.rows(), w.columns()));
        graph.addInitializer(floats("dense_B", rowMajor(b), b.length()));
        graph.addNode(Onnx.NodeProto.newBuilder()
                .setOpType("Gemm")
                .setName("dense")
                .addAllInput(List.of(x, "dense_W", "dense_B"))
                .addOutput("logits"));
        graph.addNode(Onnx.NodeProto.newBuilder()
                .setOpType("Softmax")
                .setName("softmax")
                .addInput("logits")
                .addOutput(OUTPUT)
                .addAttribute(intAttribute("axis", 1)));
        graph.addOutput(valueInfo(OUTPUT, "batch", w.columns()));
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("sparklstm")
                .setProducerVersion(producerVersion)
                .setDocString("MNIST rows as sequences: " + LSTM_LAYERS + " LSTM(" + units + ") layers, dense softmax")
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    /**
     * DL4J's {@code [nIn, 4n]} gate weights as ONNX's {@code [4n, nIn]} (row-major), blocks reordered to i, o, f, c.
     */
    static float[] lstmWeights(INDArray dl4j, int units) {
        int inputs = (int) dl4j.rows();
        float[] onnx = new float[4 * units * inputs];
        for (int gate = 0; gate < 4; gate++) {
            int block = ONNX_GATES_FROM_DL4J[gate];
            for (int j = 0; j < units; j++) {
                for (int k = 0; k < inputs; k++) {
                    onnx[(gate * units + j) * inputs + k] = dl4j.getFloat(k, (long) block * units + j);
                }
            }
        }
        return onnx;
    }

    /** DL4J's bias {@code [4n]} as ONNX's {@code [8n]}: the input bias reordered to i, o, f, c, then a zero recurrent bias. */
    static float[] lstmBias(INDArray dl4j, int units) {
        INDArray flat = dl4j.reshape(dl4j.length());
        float[] onnx = new float[8 * units];
        for (int gate = 0; gate < 4; gate++) {
            int block = ONNX_GATES_FROM_DL4J[gate];
            for (int j = 0; j < units; j++) {
                onnx[gate * units + j] = flat.getFloat((long) block * units + j);
            }
        }
        return onnx;
    }

    private static float[] rowMajor(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private static Onnx.TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder()
                .setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static Onnx.TensorProto longs(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return Onnx.TensorProto.newBuilder()
                .setName(name)
                .setDataType(Onnx.TensorProto.DataType.INT64)
                .addDims(values.length)
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build();
    }

    private static Onnx.AttributeProto intAttribute(String name, long value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    /** A float tensor's type: {@code batchDim} a symbolic first dimension, then {@code dims}. */
    private static Onnx.ValueInfoProto valueInfo(String name, String batchDim, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(batchDim));
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                .setElemType(Onnx.TensorProto.DataType.FLOAT)
                                .setShape(shape)))
                .build();
    }
}
