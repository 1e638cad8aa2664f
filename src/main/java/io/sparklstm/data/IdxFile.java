package io.sparklstm.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One of the four files of an MNIST-format data set, as found in the data directory: raw or gzipped.
 *
 * @param name       the base name, e.g. {@code train-images-idx3-ubyte}
 * @param path       the file actually present: {@code name} or {@code name.gz}
 * @param kind       images or labels
 * @param compressed whether {@code path} is gzipped
 */
public record IdxFile(String name, Path path, IdxHeader.Kind kind, boolean compressed) {

    /**
     * Finds {@code name} or {@code name.gz} in {@code dir}. When both exist the raw file wins: it can be read by byte
     * ranges without decompressing.
     */
    public static IdxFile locate(FileSystem fs, Path dir, String name, IdxHeader.Kind kind) throws IOException {
        Path raw = new Path(dir, name);
        if (fs.isFile(raw)) {
            return new IdxFile(name, raw, kind, false);
        }
        Path gz = new Path(dir, name + ".gz");
        if (fs.isFile(gz)) {
            return new IdxFile(name, gz, kind, true);
        }
        throw new IdxFormatException(
                fs.makeQualified(raw).toString(),
                "not found (neither " + name + " nor " + name + ".gz is a file in " + fs.makeQualified(dir) + ")");
    }

    /** Wraps the file's stored bytes so that they read as the uncompressed IDX content. */
    public InputStream decode(InputStream stored) throws IOException {
        return compressed ? new GZIPInputStream(stored, 1 << 16) : stored;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
