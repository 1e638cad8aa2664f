package io.sparklstm.data;

import io.sparklstm.common.Digests;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FileSystem;

/**
 * The result of reading one IDX file: its header, checked against the content, and the SHA-256 of the file as stored
 * (the compressed bytes for a {@code .gz}), which identifies the input in the run's provenance.
 *
 * <p>The scan streams: it holds one buffer, never the data set, so it is safe on the driver for any allowed size. It
 * never decompresses more than the header declares: a gzipped file is inflated at most to header plus declared payload
 * plus one byte (which, if present, is refused as trailing data), so a small {@code .gz} that inflates to far more than
 * its header announces costs no more than a well-formed one.
 *
 * <p>With a limit, a gzipped file is inflated and checked only as far as the examples the run uses: its header, the
 * first {@code limit} examples (labels in 0-9 for those), and no further; the rest of its stored bytes are hashed
 * without being inflated. <em>The unused tail of a gzipped file is therefore not validated</em>: neither its labels,
 * nor its length, nor the gzip checksum, which covers the whole stream. A raw file is always read and checked whole,
 * since hashing it reads every byte anyway.
 *
 * @param file            the file scanned
 * @param header          its validated header
 * @param sha256          hex SHA-256 of the stored bytes
 * @param checkedExamples how many leading examples were checked: all, except for a gzipped file scanned with a limit
 */
public record IdxScan(IdxFile file, IdxHeader header, String sha256, int checkedExamples) {

    /** Scans the whole file: {@link #of(FileSystem, IdxFile, int)} without a limit. */
    public static IdxScan of(FileSystem fs, IdxFile file) throws IOException {
        return of(fs, file, 0);
    }

    /**
     * Reads {@code file} and checks that it is well formed: magic number, image size, declared count within bounds,
     * labels in 0-9 and a length that is exactly header plus payload (neither truncated nor followed by trailing
     * bytes). For a gzipped file and a positive {@code limit} below the declared count, only the header and the first
     * {@code limit} examples are checked (see the class comment). Every failure is an {@link IdxFormatException} naming
     * the file.
     *
     * @param limit examples the run uses: the first {@code limit}, or all when 0
     */
    public static IdxScan of(FileSystem fs, IdxFile file, int limit) throws IOException {
        return of(fs, file, limit, UnaryOperator.identity());
    }

    /** As {@link #of(FileSystem, IdxFile, int)}, reading the decoded content through {@code tap} (tests count it). */
    static IdxScan of(FileSystem fs, IdxFile file, int limit, UnaryOperator<InputStream> tap) throws IOException {
        String where = fs.makeQualified(file.path()).toString();
        if (!file.compressed()) {
            rejectWrongRawLength(fs, file, where);
        }
        MessageDigest sha = newSha256();
        // No buffering above the decoder: every read asks for exactly the bytes still needed, so nothing is inflated
        // beyond them.
        try (InputStream stored = new DigestInputStream(fs.open(file.path(), 1 << 16), sha);
                InputStream content = tap.apply(file.decode(stored))) {
            IdxHeader header = IdxHeader.read(new DataInputStream(content), file.kind(), where);
            int checked = file.compressed() && limit > 0 ? Math.min(limit, header.count()) : header.count();
            long wanted = (long) checked * header.kind().bytesPerExample();
            long found = checkPayload(content, header, wanted, where);
            if (found < wanted) {
                throw lengthError(where, header, header.kind().headerBytes() + found);
            }
            if (checked == header.count() && content.read() >= 0) {
                throw trailingError(file, where, header, content);
            }
            stored.transferTo(OutputStream.nullOutputStream()); // the unread rest is hashed, not inflated
            return new IdxScan(file, header, HexFormat.of().formatHex(sha.digest()), checked);
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

    /**
     * Consumes up to {@code wanted} payload bytes, never asking for more, checking label values; returns the number of
     * payload bytes found.
     */
    private static long checkPayload(InputStream in, IdxHeader header, long wanted, String where) throws IOException {
        byte[] buffer = new byte[1 << 16];
        boolean labels = header.kind() == IdxHeader.Kind.LABELS;
        long seen = 0;
        while (seen < wanted) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, wanted - seen));
            if (n < 0) {
                break;
            }
            if (labels) {
                for (int i = 0; i < n; i++) {
                    int label = buffer[i] & 0xFF;
                    if (label > 9) {
                        throw new IdxFormatException(
                                where, "label " + label + " at example " + (seen + i) + ", expected a class in 0-9");
                    }
                }
            }
            seen += n;
        }
        return seen;
    }

    /**
     * The content goes on after the declared payload (one byte of it already read). A raw file's extra bytes cost
     * nothing to count; a gzipped file is not inflated further to count them.
     */
    private static IdxFormatException trailingError(IdxFile file, String where, IdxHeader header, InputStream content)
            throws IOException {
        if (!file.compressed()) {
            long more = 1 + content.transferTo(OutputStream.nullOutputStream());
            return lengthError(where, header, header.fileBytes() + more);
        }
        return new IdxFormatException(
                where,
                "has trailing bytes: header declares " + header.count() + " examples, so " + header.fileBytes()
                        + " bytes are expected, found more (decompression stopped there)");
    }

    static IdxFormatException lengthError(String where, IdxHeader header, long actualBytes) {
        long expected = header.fileBytes();
        String problem =
                actualBytes < expected ? "is truncated" : "has " + (actualBytes - expected) + " trailing bytes";
        return new IdxFormatException(
                where,
                problem + ": header declares " + header.count() + " examples, so " + expected
                        + " bytes are expected, found " + actualBytes);
    }

    static MessageDigest newSha256() {
        return Digests.newSha256();
    }
}
