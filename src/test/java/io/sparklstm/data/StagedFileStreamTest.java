package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.spark.data.loader.RemoteFileSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.Source;

/**
 * A staged file opened through dl4j-spark's {@link RemoteFileSource} uses that source's own file system (found, not
 * guessed) and reads the same bytes as the source itself; any other source opens as it always did.
 */
class StagedFileStreamTest {

    @TempDir
    Path tmp;

    @Test
    void opensARemoteFileSourceThroughItsOwnFileSystem() throws IOException {
        Path file = stagedFile();
        FileSystem local = FileSystem.getLocal(new Configuration());
        RemoteFileSource source = new RemoteFileSource(file.toUri().toString(), local);

        assertSame(local, StagedFileStream.fileSystemOf(source));
        assertArrayEquals(readAll(source.getInputStream()), readAll(StagedFileStream.open(source)));
    }

    @Test
    void anyOtherSourceOpensAsBefore() throws IOException {
        Path file = stagedFile();
        Source plain = new Source() {
            @Override
            public InputStream getInputStream() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public String getPath() {
                return file.toString();
            }
        };
        assertNull(StagedFileStream.fileSystemOf(plain));
        assertArrayEquals(Files.readAllBytes(file), readAll(StagedFileStream.open(plain)));
    }

    /** A real staged minibatch file of 64 images (random pixels: only the bytes matter here). */
    private Path stagedFile() throws IOException {
        byte[] images = new byte[64 * 28 * 28];
        byte[] labels = new byte[64];
        Random random = new Random(7);
        random.nextBytes(images);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        Path file = tmp.resolve("batch-00003");
        try (var out = Files.newOutputStream(file)) {
            MinibatchFile.write(out, images, labels, 0, 64);
        }
        return file;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
