package io.sparklstm.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FileSystem;

/**
 * The result of reading one IDX file from end to end: its header, checked against the whole content, and the SHA-256
 * of the file as stored (the compressed bytes for a {@code .gz}), which identifies the input in the run's provenance.
 *
 * <p>The scan streams: it holds one buffer, never the data set, so it is safe on the driver for any allowed size.
 *
 * @param file   the file scanned
 * @param header its validated header
 * @param sha256 hex SHA-256 of the stored bytes
 */
public record IdxScan(IdxFile file, IdxHeader header, String sha256) {

    /**
     * Reads {@code file} completely and checks that it is well formed: magic number, image size, declared count within
     * bounds, labels in 0-9 and a length that is exactly header plus payload (neither truncated nor followed by
     * trailing bytes). Every failure is an {@link IdxFormatException} naming the file.
     */
    public static IdxScan of(FileSystem fs, IdxFile file) throws IOException {
        String where = fs.makeQualified(file.path()).toString();
        if (!file.compressed()) {
            rejectWrongRawLength(fs, file, where);
        }
        MessageDigest sha = newSha256();
        try (InputStream stored = new DigestInputStream(fs.open(file.path(), 1 << 16), sha);
                DataInputStream in = new DataInputStream(new BufferedInputStream(file.decode(stored), 1 << 16))) {
            IdxHeader header = IdxHeader.read(in, file.kind(), where);
            long payload = checkPayload(in, header, where);
            if (payload != header.payloadBytes()) {
                throw lengthError(where, header, header.kind().headerBytes() + payload);
            }
            stored.transferTo(OutputStream.nullOutputStream()); // gzip may stop before the end of the stored bytes
            return new IdxScan(file, header, HexFormat.of().formatHex(sha.digest()));
        } catch (ZipException | EOFException e) {
            throw new IdxFormatException(where, "is not a valid gzip stream (" + e.getMessage() + ")");
        }
    }

    /** For a raw file the length alone tells whether it is truncated or has trailing bytes: fail before reading it. */
    private static void rejectWrongRawLength(FileSystem fs, IdxFile file, String where) throws IOException {
        long length = fs.getFileStatus(file.path()).getLen();
        IdxHeader header;
        try (DataInputStream in = new DataInputStream(fs.open(file.path()))) {
            header = IdxHeader.read(in, file.kind(), where);
        }
        if (length != header.fileBytes()) {
            throw lengthError(where, header, length);
        }
    }

    /** Consumes the payload, checking label values; returns the number of payload bytes found. */
    private static long checkPayload(DataInputStream in, IdxHeader header, String where) throws IOException {
        byte[] buffer = new byte[1 << 16];
        boolean labels = header.kind() == IdxHeader.Kind.LABELS;
        long seen = 0;
        for (int n; (n = in.read(buffer)) > 0; seen += n) {
            if (labels) {
                for (int i = 0; i < n; i++) {
                    int label = buffer[i] & 0xFF;
                    if (label > 9) {
                        throw new IdxFormatException(
                                where, "label " + label + " at example " + (seen + i) + ", expected a class in 0-9");
                    }
                }
            }
        }
        return seen;
    }

    private static IdxFormatException lengthError(String where, IdxHeader header, long actualBytes) {
        long expected = header.fileBytes();
        String problem =
                actualBytes < expected ? "is truncated" : "has " + (actualBytes - expected) + " trailing bytes";
        return new IdxFormatException(
                where,
                problem + ": header declares " + header.count() + " examples, so " + expected
                        + " bytes are expected, found " + actualBytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
