package io.sparklstm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.Fixtures;
import io.sparklstm.Mnist;
import io.sparklstm.common.BuildInfo;
import io.sparklstm.data.Minibatches;
import io.sparklstm.model.fastlstm.Fp32Gemm;
import io.sparklstm.store.RunStore;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import onnx.Onnx;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** {@link OnnxExport}: DL4J's gate blocks in ONNX's order, and ONNX Runtime computing what DL4J computes. */
@ExtendWith(Fp32Gemm.class)
class OnnxExportTest {

    private static final int IMAGES = 1000;

    @Test
    void dl4jGateBlocksBecomeOnnxsInputOutputForgetCellOrder() {
        // DL4J's W [nIn = 2, 4n = 12] with every entry of block k equal to 10k + 1 plus (row, column in the block).
        int units = 3;
        INDArray w = Nd4j.create(DataType.FLOAT, 2, 4 * units);
        INDArray b = Nd4j.create(DataType.FLOAT, 1, 4 * units);
        for (int block = 0; block < 4; block++) {
            for (int j = 0; j < units; j++) {
                b.putScalar(0, block * units + j, 10 * block + j);
                for (int k = 0; k < 2; k++) {
                    w.putScalar(k, block * units + j, 10 * block + j + 0.5f * k);
                }
            }
        }
        // ONNX: [4n, nIn] row-major, gates i, o, f, c = DL4J blocks 3 (input gate), 2 (output), 1 (forget), 0 (cell).
        float[] onnxW = OnnxExport.lstmWeights(w, units);
        float[] onnxB = OnnxExport.lstmBias(b, units);
        int[] expectedBlocks = {3, 2, 1, 0};
        for (int gate = 0; gate < 4; gate++) {
            for (int j = 0; j < units; j++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals(
                            10 * expectedBlocks[gate] + j + 0.5f * k,
                            onnxW[(gate * units + j) * 2 + k],
                            "W of ONNX gate " + gate + ", unit " + j + ", input " + k);
                }
                assertEquals(10 * expectedBlocks[gate] + j, onnxB[gate * units + j], "B of gate " + gate);
                assertEquals(0f, onnxB[4 * units + gate * units + j], "recurrent bias: DL4J has one bias only");
            }
        }
    }

    @Test
    void onnxRuntimeComputesTheProbabilitiesOfDl4jOnAThousandTestImages() throws Exception {
        // The default network (128 units), trained on a few minibatches so that no weight is still at its initial
        // value.
        MultiLayerNetwork network = Fixtures.seedNetwork("--lstm-units", "128").newNetwork();
        byte[] trainPixels = Mnist.imageBytes("train-images-idx3-ubyte", 512);
        byte[] trainLabels = Mnist.labelBytes("train-labels-idx1-ubyte", 512);
        for (int first = 0; first < 512; first += 64) {
            network.fit(Minibatches.of(trainPixels, trainLabels, first, 64));
        }
        Onnx.ModelProto model = OnnxExport.of(network, "test");
        assertEquals(OnnxExport.OPSET, model.getOpsetImport(0).getVersion());

        DataSet test = Minibatches.of(
                Mnist.imageBytes("t10k-images-idx3-ubyte", IMAGES),
                Mnist.labelBytes("t10k-labels-idx1-ubyte", IMAGES),
                0,
                IMAGES);
        INDArray expected = network.output(test.getFeatures(), false);
        // ONNX's input is the image itself, [batch, row, column]: DL4J's [batch, feature = column, step = row] turned.
        float[] images = test.getFeatures().permute(0, 2, 1).dup('c').data().asFloat();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(images), new long[] {IMAGES, Minibatches.STEPS, Minibatches.FEATURES});
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            float[][] actual =
                    (float[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
            assertEquals(IMAGES, actual.length);
            double maxDiff = 0;
            int sameArgmax = 0;
            for (int i = 0; i < IMAGES; i++) {
                float[] dl4j = expected.getRow(i).toFloatVector();
                for (int c = 0; c < 10; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(dl4j[c] - actual[i][c]));
                }
                if (argmax(dl4j) == argmax(actual[i])) {
                    sameArgmax++;
                }
            }
            System.out.printf(
                    "onnx: %d images, max |probability difference| %.3g, same argmax %d%n",
                    IMAGES, maxDiff, sameArgmax);
            assertTrue(maxDiff <= 1e-5, "max |probability difference| " + maxDiff);
            assertEquals(IMAGES, sameArgmax, "every argmax the same");
            assertArrayEquals(
                    new long[] {IMAGES, 10},
                    ((OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow())
                            .getInfo()
                            .getShape());
        }
    }

    @Test
    void everyPublishedRunHasItsOnnxModelWithTheDigestProvenanceRecords(@TempDir Path tmp) throws Exception {
        RunStore store = RunStore.at(tmp.resolve("store").toUri().toString(), new Configuration());
        MultiLayerNetwork published = Fixtures.publishSmallRun(store, "onnx", 3);
        Path run = tmp.resolve("store/runs/onnx");
        byte[] onnx = Files.readAllBytes(run.resolve(RunStore.ONNX));
        JsonNode provenance =
                new ObjectMapper().readTree(run.resolve(RunStore.PROVENANCE).toFile());
        assertEquals(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)),
                provenance.path("onnxSha256").asText(),
                "provenance.json records model.onnx's SHA-256");
        assertArrayEquals(OnnxExport.of(published, BuildInfo.version()).toByteArray(), onnx, "the published network");
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
