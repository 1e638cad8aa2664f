package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparklstm.common.BuildInfo;
import io.sparklstm.common.Digests;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.model.OnnxExport;
import io.sparklstm.model.SafeModelReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A {@code model.zip} on a FileSystem together with its digests: written with SHA-256 (and, with a {@link StoreKey},
 * HMAC-SHA256) computed on the way out, and loaded only when the bytes read still have the recorded digests, through
 * {@link SafeModelReader}, so a corrupted, swapped or hostile model never loads.
 */
public final class ModelFile {

    /** Bytes of model.zip written before {@link FaultInjection#MODEL_WRITE_UNDER_WAY} is reached: a few packets. */
    static final long UNDER_WAY_BYTES = 64 * 1024;

    /** The largest model file accepted, checked from its length before reading. */
    static final long MAX_BYTES = 1L << 30;

    private ModelFile() {}

    /**
     * The digests of a model file.
     *
     * @param sha256     hex SHA-256 of the bytes
     * @param hmacSha256 hex HMAC-SHA256 with the store's key, or null when the store has none
     */
    public record Digest(String sha256, String hmacSha256) {

        /** The digests recorded in a provenance or checkpoint document ({@code modelSha256}, {@code modelHmacSha256}). */
        static Digest recordedIn(JsonNode document) {
            return recordedIn(document, "model");
        }

        /** The digests recorded as {@code <prefix>Sha256} and {@code <prefix>HmacSha256}. */
        static Digest recordedIn(JsonNode document, String prefix) {
            JsonNode hmac = document.path(prefix + "HmacSha256");
            return new Digest(document.path(prefix + "Sha256").asText(), hmac.isTextual() ? hmac.asText() : null);
        }
    }

    /** Writes the network with its updater state; returns the digests of the bytes written. */
    public static Digest write(FileSystem fs, Path file, MultiLayerNetwork network, Optional<StoreKey> key)
            throws IOException {
        return write(fs, file, network, key, null, true);
    }

    /**
     * Writes the network's configuration and weights only, without the updater state (Adam's moments: twice the
     * weights' size), for a network that nothing will train further; returns the digests of the bytes written.
     */
    public static Digest writeWeights(FileSystem fs, Path file, MultiLayerNetwork network, Optional<StoreKey> key)
            throws IOException {
        return write(fs, file, network, key, null, false);
    }

    /**
     * As {@link #write(FileSystem, Path, MultiLayerNetwork, Optional)}; once the first {@link #UNDER_WAY_BYTES} are
     * written, with the stream open, {@link FaultInjection#reached} {@code underWayPoint} (when not null).
     */
    static Digest write(
            FileSystem fs,
            Path file,
            MultiLayerNetwork network,
            Optional<StoreKey> key,
            String underWayPoint,
            boolean withUpdater)
            throws IOException {
        MessageDigest sha = sha256();
        Mac mac = key.map(StoreKey::mac).orElse(null);
        try (OutputStream out = new DigestingOutputStream(fs.create(file, false), sha, mac, underWayPoint)) {
            ModelSerializer.writeModel(network, out, withUpdater);
        }
        return new Digest(StoreKey.hex(sha.digest()), mac == null ? null : StoreKey.hex(mac.doFinal()));
    }

    /**
     * Writes the network as ONNX ({@link OnnxExport}), flushed to the DataNodes (hsync) before closing; returns the
     * file's SHA-256.
     */
    static String writeOnnx(FileSystem fs, Path file, MultiLayerNetwork network) throws IOException {
        byte[] bytes = OnnxExport.of(network, BuildInfo.version()).toByteArray();
        try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
            out.hsync();
        }
        return StoreKey.hex(sha256().digest(bytes));
    }

    /**
     * Loads a network, with its updater state, after checking the file's digests against {@code expected}: the SHA-256
     * always, the HMAC whenever the store has a key (a model without a recorded HMAC is then refused).
     *
     * @throws CorruptModelException when a digest differs, the file is too large, or it is not a model this job reads
     */
    public static MultiLayerNetwork load(FileSystem fs, Path file, Digest expected, Optional<StoreKey> key)
            throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > MAX_BYTES) {
            throw new CorruptModelException(file + ": " + length + " bytes, more than the " + MAX_BYTES + " allowed");
        }
        MessageDigest sha = sha256();
        Mac mac = key.map(StoreKey::mac).orElse(null);
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
            bytes = in.readNBytes((int) length + 1);
        }
        sha.update(bytes);
        String actual = StoreKey.hex(sha.digest());
        if (!actual.equals(expected.sha256())) {
            throw new CorruptModelException(file + ": SHA-256 is " + actual + ", expected " + expected.sha256());
        }
        if (mac != null) {
            String hmac = StoreKey.hex(mac.doFinal(bytes));
            if (expected.hmacSha256() == null || !hmac.equals(expected.hmacSha256())) {
                throw new CorruptModelException(file + ": its HMAC-SHA256 does not verify with the store key ("
                        + (expected.hmacSha256() == null ? "none recorded" : "recorded " + expected.hmacSha256())
                        + "): written without the key, or tampered with");
            }
        }
        try {
            return SafeModelReader.read(new ByteArrayInputStream(bytes), file.toString(), true);
        } catch (RuntimeException | IOException e) {
            throw new CorruptModelException(file + ": not a loadable model (" + e.getMessage() + ")");
        }
    }

    static MessageDigest sha256() {
        return Digests.newSha256();
    }

    /** A stored model that cannot be trusted: wrong digest, unreadable, or holding what this job does not read. */
    public static final class CorruptModelException extends IOException {
        public CorruptModelException(String message) {
            super(message);
        }
    }

    /** Feeds every byte written to the digests too. */
    private static final class DigestingOutputStream extends java.io.FilterOutputStream {
        private final MessageDigest sha;
        private final Mac mac;
        private String underWayPoint;
        private long written;

        DigestingOutputStream(OutputStream out, MessageDigest sha, Mac mac, String underWayPoint) {
            super(out);
            this.sha = sha;
            this.mac = mac;
            this.underWayPoint = underWayPoint;
        }

        private void count(long bytes) {
            written += bytes;
            if (underWayPoint != null && written >= UNDER_WAY_BYTES) {
                String point = underWayPoint;
                underWayPoint = null;
                FaultInjection.reached(point);
            }
        }

        /** Flushes to the DataNodes (hsync) before closing: the file is durable before {@code _SUCCESS} follows. */
        @Override
        public void close() throws IOException {
            flush();
            if (out instanceof org.apache.hadoop.fs.Syncable syncable) {
                syncable.hsync();
            }
            super.close();
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            if (mac != null) {
                mac.update((byte) b);
            }
            count(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            if (mac != null) {
                mac.update(b, off, len);
            }
            count(len);
        }
    }
}
