package io.sparklstm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Published runs get the configured mode less Hadoop's umask, whatever the process umask is. */
class StorePermissionsTest {

    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private void assertModes(String octal, String umask, String dirs, String files) throws IOException {
        Configuration conf = new Configuration();
        conf.set("fs.permissions.umask-mode", umask);
        Path root = tmp.resolve(octal + "-" + umask);
        RunStore store = RunStore.at(root.toString(), conf, octal);
        Fixtures.publishSmallRun(store, "r", 1);
        store.promote("r");
        Path run = root.resolve("runs/r");
        assertEquals(dirs, mode(run));
        try (Stream<Path> entries = Files.list(run)) {
            for (Path file : (Iterable<Path>)
                    entries.filter(p -> !p.getFileName().toString().endsWith(".crc"))::iterator) {
                assertEquals(files, mode(file), file.toString());
            }
        }
        assertEquals(files, mode(root.resolve("CURRENT")));
    }

    @Test
    void ownerAndGroupOnlyByDefault() throws IOException {
        assertModes("750", "022", "rwxr-x---", "rw-r-----");
    }

    @Test
    void aStricterUmaskWins() throws IOException {
        assertModes("750", "077", "rwx------", "rw-------");
    }

    @Test
    void aWiderModeCanBeConfigured() throws IOException {
        assertModes("755", "022", "rwxr-xr-x", "rw-r--r--");
    }
}
