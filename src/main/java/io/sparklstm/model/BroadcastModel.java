package io.sparklstm.model;

import io.sparklstm.common.Digests;
import io.sparklstm.data.Minibatches;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network shipped to the executors once, as its model.zip bytes (without updater state), for prediction.
 * Every task thread of an executor reads its own copy ({@link SafeModelReader}) once and keeps it for later tasks:
 * ND4J's network is not thread-safe, and one network shared behind a lock kept all but one core idle (measured on
 * local[2]: half the throughput). A few recently used models stay cached per thread, keyed by the bytes' SHA-256.
 * Native threads are capped per task as in training ({@link NativeThreads}). Minibatches amortize the per-call cost;
 * 256 images is plenty.
 */
public final class BroadcastModel implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final int CACHED_MODELS = 4;
    private static final ThreadLocal<Map<String, MultiLayerNetwork>> NETWORKS =
            ThreadLocal.withInitial(() -> new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, MultiLayerNetwork> eldest) {
                    return size() > CACHED_MODELS;
                }
            });

    private final Broadcast<byte[]> bytes;
    private final String sha256;
    private final int threadsPerTask;

    private BroadcastModel(Broadcast<byte[]> bytes, String sha256, int threadsPerTask) {
        this.bytes = bytes;
        this.sha256 = sha256;
        this.threadsPerTask = threadsPerTask;
    }

    /** Broadcasts {@code network}'s parameters and configuration. */
    public static BroadcastModel of(JavaSparkContext sc, MultiLayerNetwork network) {
        byte[] serialized = serialize(network);
        return new BroadcastModel(sc.broadcast(serialized), Digests.sha256Hex(serialized), NativeThreads.taskCpus(sc));
    }

    /** The network's model.zip bytes, without updater state. */
    public static byte[] serialize(MultiLayerNetwork network) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** SHA-256 of the broadcast bytes (hex). */
    public String sha256() {
        return sha256;
    }

    /**
     * Class probabilities of images {@code [first, first + count)} of {@code images} (784 values each, row-major as in
     * IDX files, scaled as the network was trained), one row of 10 per image.
     */
    public double[][] probabilities(float[] images, int first, int count) {
        MultiLayerNetwork network = network();
        INDArray input = Minibatches.featureArray(Minibatches.features(images, first, count), count);
        return network.output(input, false).toDoubleMatrix();
    }

    /** Releases the broadcast on the driver and the executors; prediction afterwards fails. */
    public void destroy() {
        bytes.destroy();
    }

    private MultiLayerNetwork network() {
        NativeThreads.limitOnce(threadsPerTask);
        return NETWORKS.get().computeIfAbsent(sha256, sha -> read(bytes.value()));
    }

    private static MultiLayerNetwork read(byte[] bytes) {
        try {
            return SafeModelReader.read(new ByteArrayInputStream(bytes), "the broadcast model", false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Index of the largest probability: the predicted class. */
    public static int argmax(double[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }
}
