package io.sparklstm.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A {@code model.zip} on a FileSystem together with its SHA-256: written with the digest computed on the way out, and
 * loaded only when the bytes read still have the recorded digest, so a corrupted or swapped model never loads.
 */
public final class ModelFile {

    private ModelFile() {}

    /** Writes the network with its updater state; returns the hex SHA-256 of the bytes written. */
    public static String write(FileSystem fs, Path file, MultiLayerNetwork network) throws IOException {
        MessageDigest sha = sha256();
        try (OutputStream out = new DigestOutputStream(fs.create(file, false), sha)) {
            ModelSerializer.writeModel(network, out, true);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Loads a network, with its updater state, after checking the file's SHA-256 against {@code expectedSha256}.
     *
     * @throws CorruptModelException when the digest differs or the file does not parse
     */
    public static MultiLayerNetwork load(FileSystem fs, Path file, String expectedSha256) throws IOException {
        MessageDigest sha = sha256();
        byte[] bytes;
        try (InputStream in = new DigestInputStream(fs.open(file), sha)) {
            bytes = in.readAllBytes();
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expectedSha256)) {
            throw new CorruptModelException(file + ": SHA-256 is " + actual + ", expected " + expectedSha256);
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new java.io.ByteArrayInputStream(bytes), true);
        } catch (RuntimeException | IOException e) {
            throw new CorruptModelException(file + ": not a loadable DL4J model (" + e.getMessage() + ")");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** A stored model that cannot be trusted: wrong digest or unreadable. */
    public static final class CorruptModelException extends IOException {
        public CorruptModelException(String message) {
            super(message);
        }
    }
}
