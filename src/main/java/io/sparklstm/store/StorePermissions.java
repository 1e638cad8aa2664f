package io.sparklstm.store;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The explicit modes of what a run publishes: directories get the configured mode ({@code --permissions}, default
 * {@code 750}: owner and group only), files the same without execute bits ({@code 640}), both less the umask of
 * Hadoop's {@code fs.permissions.umask-mode} (default {@code 022}), so an operator's stricter umask still wins.
 */
final class StorePermissions {

    private final FsPermission directories;
    private final FsPermission files;

    private StorePermissions(FsPermission directories, FsPermission files) {
        this.directories = directories;
        this.files = files;
    }

    static StorePermissions of(String octal, Configuration hadoop) {
        short mode = Short.parseShort(octal, 8); // validated by the --permissions declaration
        FsPermission umask = FsPermission.getUMask(hadoop);
        FsPermission dirs = new FsPermission(mode).applyUMask(umask);
        FsPermission plain = new FsPermission((short) (mode & 0666)).applyUMask(umask);
        return new StorePermissions(dirs, plain);
    }

    /** Applies the modes to {@code dir}, everything below it, and the files in it. */
    void applyTree(FileSystem fs, Path dir) throws IOException {
        fs.setPermission(dir, directories);
        for (FileStatus child : fs.listStatus(dir)) {
            if (child.isDirectory()) {
                applyTree(fs, child.getPath());
            } else {
                fs.setPermission(child.getPath(), files);
            }
        }
    }

    void applyFile(FileSystem fs, Path file) throws IOException {
        fs.setPermission(file, files);
    }

    FsPermission directories() {
        return directories;
    }

    FsPermission files() {
        return files;
    }
}
