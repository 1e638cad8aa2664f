package io.sparklstm.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file operations of a {@link RunLock} on one store, each atomic where the file system allows it:
 *
 * <ul>
 *   <li>{@link Mode#LOCAL} ({@code file:}): java.nio on the underlying file: {@code CREATE_NEW} (O_EXCL) to create,
 *       rename(2) to move aside, link(2) to move back without replacing. Hadoop's own {@code create(overwrite=false)}
 *       checks, then creates, so it is not used. No {@code .crc} file is written (a stale one is removed), so the file
 *       also reads back through {@code fs.open}.
 *   <li>{@link Mode#NAMENODE} ({@code hdfs:}, {@code webhdfs:}, {@code swebhdfs:}, {@code viewfs:} onto HDFS):
 *       {@code create(overwrite=false)} and {@code rename} (which never replaces a file) are single NameNode operations.
 *   <li>{@link Mode#BEST_EFFORT} (object stores such as s3a, gs, abfs, and anything else): Hadoop 3.3's exclusive
 *       create and rename there check, then act, so two contenders can both win; a warning says so once per scheme.
 * </ul>
 *
 * The heartbeat is the file's modification time, set by the holder ({@code setTimes}), except in BEST_EFFORT mode where
 * times cannot be set and the holder rewrites the file with its heartbeat counter raised. Either way contenders only
 * look for a change, never compare a time with their clock.
 */
final class LockFile {

    enum Mode {
        LOCAL,
        NAMENODE,
        BEST_EFFORT
    }

    /** What was at a path when it was read. {@code version} changes with any change of the file. */
    record Snapshot(boolean exists, byte[] bytes, long modified, long length, LockOwner owner) {

        static final Snapshot ABSENT = new Snapshot(false, new byte[0], 0, 0, null);

        /** Same file content and modification time: nothing observable happened in between. */
        boolean sameVersion(Snapshot other) {
            return exists == other.exists
                    && modified == other.modified
                    && length == other.length
                    && Arrays.equals(bytes, other.bytes);
        }

        String token() {
            return owner == null ? null : owner.token();
        }

        /**
         * The name under which this lock is taken over: its owner token, or for a file without one (hand-written,
         * damaged) a digest of its content and time.
         */
        String key() {
            if (token() != null) {
                return token();
            }
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(bytes);
                sha.update(Long.toString(modified).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                return "x" + HexFormat.of().formatHex(sha.digest()).substring(0, 32);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        String describe() {
            if (!exists) {
                return "no lock file";
            }
            return owner != null ? owner.describe() : "owner unreadable, " + length + " bytes";
        }
    }

    private static final Logger log = LoggerFactory.getLogger(LockFile.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final int MAX_BYTES = 64 * 1024;

    private final FileSystem fs;
    private final Mode mode;

    private LockFile(FileSystem fs, Mode mode) {
        this.fs = fs;
        this.mode = mode;
    }

    /** The operations for a store at {@code root} on {@code fs}; warns once per scheme when they are best effort. */
    static LockFile on(FileSystem fs, Path root) throws IOException {
        Mode mode = modeOf(fs, root);
        if (mode == Mode.BEST_EFFORT) {
            String scheme = fs.getUri().getScheme();
            if (WARNED.add(scheme)) {
                log.warn(
                        "The store lock on {}: is best effort: {} has no atomic exclusive create, so two runs started"
                                + " at the same moment may both get the lock. Put the store on HDFS, or run one"
                                + " scheduler per store.",
                        scheme,
                        scheme);
            }
        }
        return new LockFile(fs, mode);
    }

    static Mode modeOf(FileSystem fs, Path root) throws IOException {
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            return Mode.LOCAL;
        }
        String scheme = String.valueOf(fs.getUri().getScheme()).toLowerCase(Locale.ROOT);
        if (scheme.equals("viewfs")) {
            scheme = String.valueOf(fs.resolvePath(root).toUri().getScheme()).toLowerCase(Locale.ROOT);
        }
        return switch (scheme) {
            case "hdfs", "webhdfs", "swebhdfs" -> Mode.NAMENODE;
            default -> Mode.BEST_EFFORT;
        };
    }

    Mode mode() {
        return mode;
    }

    /** Creates {@code path} holding {@code content} unless it exists; false when it exists. */
    boolean createExclusive(Path path, byte[] content) throws IOException {
        switch (mode) {
            case LOCAL -> {
                java.nio.file.Path file = local(path);
                OutputStream out;
                try {
                    out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
                try (out) {
                    out.write(content);
                } catch (IOException e) {
                    Files.deleteIfExists(file);
                    throw e;
                }
                Files.deleteIfExists(crc(file)); // a stale checksum would make fs.open fail
                return true;
            }
            case NAMENODE, BEST_EFFORT -> {
                if (mode == Mode.BEST_EFFORT && fs.exists(path)) {
                    return false;
                }
                FSDataOutputStream out;
                try {
                    out = fs.create(path, false);
                } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                    return false;
                } catch (IOException e) {
                    // e.g. AlreadyBeingCreatedException: another client is writing the file right now.
                    if (fs.exists(path)) {
                        return false;
                    }
                    throw e;
                }
                try (out) {
                    out.write(content);
                } catch (IOException e) {
                    fs.delete(path, false);
                    throw e;
                }
                return true;
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    /** The file at {@code path} as it is now, or {@link Snapshot#ABSENT}. */
    Snapshot read(Path path) throws IOException {
        byte[] bytes;
        long modified;
        long length;
        try {
            if (mode == Mode.LOCAL) {
                java.nio.file.Path file = local(path);
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                modified = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
                length = a.size();
                try (InputStream in = Files.newInputStream(file)) {
                    bytes = in.readNBytes(MAX_BYTES);
                }
            } else {
                FileStatus st = fs.getFileStatus(path);
                modified = st.getModificationTime();
                length = st.getLen();
                try (InputStream in = fs.open(path)) {
                    bytes = in.readNBytes(MAX_BYTES);
                }
            }
        } catch (FileNotFoundException | NoSuchFileException e) {
            return Snapshot.ABSENT;
        }
        return new Snapshot(true, bytes, modified, length, LockOwner.parse(bytes));
    }

    /**
     * The heartbeat: an observable change of the file at {@code path}, which {@code seen} showed to be ours.
     *
     * @param millis a modification time that differs from the last one set
     */
    void heartbeat(Path path, Snapshot seen, long millis) throws IOException {
        switch (mode) {
            case LOCAL -> Files.setLastModifiedTime(local(path), FileTime.fromMillis(millis));
            case NAMENODE -> fs.setTimes(path, millis, -1);
            case BEST_EFFORT -> {
                LockOwner owner = seen.owner();
                try (OutputStream out = fs.create(path, true)) {
                    out.write(owner.withHeartbeat(owner.heartbeat() + 1).toJson());
                }
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    /** Renames {@code path} to the new name {@code aside}; false when {@code path} does not exist. */
    boolean moveAside(Path path, Path aside) throws IOException {
        if (mode == Mode.LOCAL) {
            try {
                Files.move(local(path), local(aside), StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        if (fs.rename(path, aside)) {
            return true;
        }
        if (fs.exists(path)) {
            throw new IOException("could not rename " + path + " to " + aside);
        }
        return false;
    }

    /** Renames {@code aside} back to {@code path} unless a file is there; false when one is (or aside is gone). */
    boolean moveBack(Path aside, Path path) throws IOException {
        if (mode == Mode.LOCAL) {
            try {
                Files.createLink(local(path), local(aside));
            } catch (FileAlreadyExistsException | NoSuchFileException e) {
                return false;
            } catch (UnsupportedOperationException | IOException e) {
                // No hard links here: check, then rename.
                if (Files.exists(local(path))) {
                    return false;
                }
                try {
                    Files.move(local(aside), local(path));
                    return true;
                } catch (FileAlreadyExistsException | NoSuchFileException e2) {
                    return false;
                }
            }
            Files.deleteIfExists(local(aside));
            return true;
        }
        try {
            return fs.rename(aside, path); // HDFS: fails, without replacing, when path exists
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false; // how some object stores say the same
        }
    }

    /** Deletes {@code path} if it exists. */
    void delete(Path path) throws IOException {
        if (mode == Mode.LOCAL) {
            java.nio.file.Path file = local(path);
            Files.deleteIfExists(file);
            Files.deleteIfExists(crc(file));
        } else {
            fs.delete(path, false);
        }
    }

    /** The files of directory {@code dir} whose names start with {@code prefix}. */
    List<Path> list(Path dir, String prefix) throws IOException {
        List<Path> found = new ArrayList<>();
        if (mode == Mode.LOCAL) {
            try (DirectoryStream<java.nio.file.Path> all = Files.newDirectoryStream(local(dir), prefix + "*")) {
                for (java.nio.file.Path p : all) {
                    found.add(new Path(dir, p.getFileName().toString()));
                }
            } catch (NoSuchFileException e) {
                return found;
            }
        } else {
            try {
                for (FileStatus st : fs.listStatus(dir)) {
                    if (st.getPath().getName().startsWith(prefix)) {
                        found.add(st.getPath());
                    }
                }
            } catch (FileNotFoundException e) {
                return found;
            }
        }
        return found;
    }

    private java.nio.file.Path local(Path path) {
        if (fs instanceof LocalFileSystem lfs) {
            return lfs.pathToFile(path).toPath();
        }
        return ((RawLocalFileSystem) fs).pathToFile(path).toPath();
    }

    /** The checksum file LocalFileSystem keeps beside a file. */
    private static java.nio.file.Path crc(java.nio.file.Path file) {
        return file.resolveSibling("." + file.getFileName() + ".crc");
    }
}
