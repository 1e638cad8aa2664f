package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only regular files are read: a FIFO named like an IDX file is refused by name without being opened (opening it would
 * block until a writer comes, i.e. forever), and so are directories; symbolic links to regular files are followed.
 */
class RegularFilesTest {

    private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

    /** Far more than a refusal takes; a FIFO that was opened would never return. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void refusesAFifoNamedLikeTheImageFileWithoutOpeningIt() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Path fifo = dir.resolve(TRAIN_IMAGES);
        Files.delete(fifo);
        mkfifo(fifo);

        assertRefused(fifo, "is not a regular file (a FIFO, device or socket), expected a regular IDX file");
    }

    @Test
    void refusesAFifoNamedLikeTheGzippedLabelFile() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Files.delete(dir.resolve(TRAIN_LABELS));
        Path fifo = dir.resolve(TRAIN_LABELS + ".gz");
        mkfifo(fifo);

        assertRefused(fifo, "is not a regular file (a FIFO");
    }

    @Test
    void refusesASymbolicLinkToAFifo() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Path fifo = dir.resolve("elsewhere").resolve("pipe");
        Files.createDirectories(fifo.getParent());
        mkfifo(fifo);
        Path link = dir.resolve(TRAIN_IMAGES);
        Files.delete(link);
        Files.createSymbolicLink(link, fifo);

        assertRefused(link, "is not a regular file (a FIFO");
    }

    @Test
    void refusesADanglingSymbolicLink() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Path link = dir.resolve(TRAIN_LABELS);
        Files.delete(link);
        Files.createSymbolicLink(link, dir.resolve("gone"));

        assertRefused(link, "is a symbolic link to a missing file, expected a regular file");
    }

    @Test
    void followsASymbolicLinkToARegularFile() throws Exception {
        IdxFixtures.writeDataset(dir.resolve("real"), 3, 2);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        for (String name :
                new String[] {TRAIN_IMAGES, TRAIN_LABELS, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.createSymbolicLink(data.resolve(name), dir.resolve("real").resolve(name));
        }

        MnistInputs inputs = MnistInputs.inspect(data.toString(), new Configuration());

        assertEquals(3, inputs.train().count());
        assertEquals(2, inputs.test().count());
    }

    /** On a file system other than the local one, the FileStatus decides: a directory is refused by name. */
    @Test
    void refusesADirectoryOnAnyFileSystem() throws Exception {
        IdxFixtures.writeDataset(dir, 3, 2);
        Files.delete(dir.resolve(TRAIN_IMAGES));
        Files.createDirectory(dir.resolve(TRAIN_IMAGES));
        FileSystem other = new FilterFileSystem(FileSystem.getLocal(new Configuration()));
        org.apache.hadoop.fs.Path hadoopDir = new org.apache.hadoop.fs.Path(dir.toUri());

        IdxFormatException e = assertThrows(
                IdxFormatException.class, () -> IdxFile.locate(other, hadoopDir, TRAIN_IMAGES, IdxHeader.Kind.IMAGES));

        assertTrue(e.getMessage().contains(dir.resolve(TRAIN_IMAGES).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is a directory, expected a regular IDX file"), e.getMessage());
        IdxFile labels = IdxFile.locate(other, hadoopDir, TRAIN_LABELS, IdxHeader.Kind.LABELS);
        assertTrue(labels.path().toString().endsWith(TRAIN_LABELS), labels.toString());
    }

    private void assertRefused(Path file, String expected) {
        BadInputException e = assertTimeoutPreemptively(
                NO_HANG,
                () -> assertThrows(
                        BadInputException.class, () -> MnistInputs.inspect(dir.toString(), new Configuration())));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(mkfifo.getInputStream().readAllBytes());
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + path + ": " + output);
        assertTrue(Files.exists(path) && !Files.isRegularFile(path), path + " is not a FIFO");
    }
}
