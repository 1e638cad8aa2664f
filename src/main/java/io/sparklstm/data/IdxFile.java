package io.sparklstm.data;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

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
     * ranges without decompressing. Only regular files are read: anything else present under one of the two names (a
     * directory, a FIFO, a device, a socket) is refused by name without being opened, since opening a FIFO blocks
     * until something writes to it.
     */
    public static IdxFile locate(FileSystem fs, Path dir, String name, IdxHeader.Kind kind) throws IOException {
        Path raw = new Path(dir, name);
        if (isRegularFile(fs, raw)) {
            return new IdxFile(name, raw, kind, false);
        }
        Path gz = new Path(dir, name + ".gz");
        if (isRegularFile(fs, gz)) {
            return new IdxFile(name, gz, kind, true);
        }
        throw new IdxFormatException(
                fs.makeQualified(raw).toString(),
                "not found (neither " + name + " nor " + name + ".gz is a file in " + fs.makeQualified(dir) + ")");
    }

    /**
     * Whether {@code path} is a regular file: {@code false} when nothing is there, an {@link IdxFormatException} naming
     * the path when something other than a regular file is. Nothing is opened.
     *
     * <p>On the local file system the check asks the operating system through {@code java.nio}, since Hadoop reports
     * anything that is not a directory (a FIFO, a device) as a file there. Symbolic links are followed: a link to a
     * regular file is read, a link to anything else is refused like its target. On other file systems the
     * {@link FileStatus} decides: only {@link FileStatus#isFile()} is read.
     */
    static boolean isRegularFile(FileSystem fs, Path path) throws IOException {
        String where = fs.makeQualified(path).toString();
        File local = localFile(fs, path);
        if (local != null) {
            java.nio.file.Path file = local.toPath();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows symbolic links
            } catch (NoSuchFileException e) {
                if (Files.isSymbolicLink(file)) {
                    throw new IdxFormatException(
                            where, "is a symbolic link to a missing file, expected a regular file");
                }
                return false;
            }
            if (attributes.isRegularFile()) {
                return true;
            }
            throw notRegular(where, attributes.isDirectory());
        }
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            return false;
        }
        if (status.isFile()) {
            return true;
        }
        throw notRegular(where, status.isDirectory());
    }

    /** Re-checks, just before the file is opened again, that it is still a regular file. */
    void requireRegularFile(FileSystem fs) throws IOException {
        if (!isRegularFile(fs, path)) {
            throw new IdxFormatException(
                    fs.makeQualified(path).toString(), "changed since it was validated: the file is gone");
        }
    }

    private static IdxFormatException notRegular(String where, boolean directory) {
        return new IdxFormatException(
                where,
                (directory ? "is a directory" : "is not a regular file (a FIFO, device or socket)")
                        + ", expected a regular IDX file; it was not opened");
    }

    /** The local file behind {@code path} when {@code fs} is the local file system, else {@code null}. */
    private static File localFile(FileSystem fs, Path path) {
        if (fs instanceof LocalFileSystem local) {
            return local.pathToFile(path);
        }
        if (fs instanceof RawLocalFileSystem raw) {
            return raw.pathToFile(path);
        }
        return null;
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
