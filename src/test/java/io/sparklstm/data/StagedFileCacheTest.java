package io.sparklstm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparklstm.Mnist;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Staged minibatch files of real MNIST images, written and read through Hadoop's local file system: the cache opens
 * each file once, returns what the file holds, keeps within its bound (least recently used first out), and leaves a
 * file that does not fit, or cannot be read, uncached.
 */
class StagedFileCacheTest {

    @TempDir
    Path dir;

    @Test
    void opensEachFileOnceAndReturnsWhatItHolds() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        String a = stage(fs, "a.bin", 0, 64);
        String b = stage(fs, "b.bin", 64, 64);
        StagedFileCache cache = new StagedFileCache(1 << 20);
        AtomicInteger opens = new AtomicInteger();

        for (int epoch = 0; epoch < 3; epoch++) {
            for (String path : new String[] {a, b}) {
                byte[] bytes = cache.bytes(path, () -> {
                    opens.incrementAndGet();
                    return fs.open(new org.apache.hadoop.fs.Path(path));
                });
                assertArrayEquals(Files.readAllBytes(Path.of(java.net.URI.create(path))), bytes, path);
            }
        }

        assertEquals(2, opens.get());
        assertEquals(2, cache.cachedFiles());
        DataSet read = MinibatchFile.read(cache.bytes(b, () -> null), b).toDataSet();
        DataSet expected = Minibatches.of(images(), digits(), 64, 64);
        assertEquals(expected.getFeatures(), read.getFeatures());
        assertEquals(expected.getLabels(), read.getLabels());
    }

    @Test
    void keepsWithinItsBoundLeastRecentlyUsedFirstOut() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        String a = stage(fs, "a.bin", 0, 64);
        String b = stage(fs, "b.bin", 64, 64);
        String c = stage(fs, "c.bin", 128, 64);
        long fileBytes = Files.size(Path.of(java.net.URI.create(a)));
        StagedFileCache cache = new StagedFileCache(2 * fileBytes); // room for two of the three
        AtomicInteger opens = new AtomicInteger();
        StagedFileCache.Opener[] openers = new StagedFileCache.Opener[3];
        String[] paths = {a, b, c};
        for (int i = 0; i < 3; i++) {
            String path = paths[i];
            openers[i] = () -> {
                opens.incrementAndGet();
                return fs.open(new org.apache.hadoop.fs.Path(path));
            };
        }

        byte[] first = cache.bytes(a, openers[0]);
        cache.bytes(b, openers[1]);
        assertSame(first, cache.bytes(a, openers[0])); // a is now the most recently used
        cache.bytes(c, openers[2]); // b leaves
        assertEquals(3, opens.get());
        assertEquals(2 * fileBytes, cache.cachedBytes());

        cache.bytes(a, openers[0]);
        cache.bytes(c, openers[2]);
        assertEquals(3, opens.get(), "a and c stayed");
        cache.bytes(b, openers[1]);
        assertEquals(4, opens.get(), "b was read again");
        assertEquals(2, cache.cachedFiles());
    }

    @Test
    void aFileLargerThanTheBoundOrUnreadableIsNotKept() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        String a = stage(fs, "a.bin", 0, 64);
        StagedFileCache cache = new StagedFileCache(100);
        AtomicInteger opens = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            cache.bytes(a, () -> {
                opens.incrementAndGet();
                return fs.open(new org.apache.hadoop.fs.Path(a));
            });
        }
        assertEquals(2, opens.get());
        assertEquals(0, cache.cachedBytes());

        String missing = dir.resolve("missing.bin").toUri().toString();
        StagedFileCache roomy = new StagedFileCache(1 << 20);
        assertThrows(
                FileNotFoundException.class,
                () -> roomy.bytes(missing, () -> fs.open(new org.apache.hadoop.fs.Path(missing))));
        assertEquals(0, roomy.cachedFiles());
    }

    private String stage(FileSystem fs, String name, int first, int count) throws IOException {
        org.apache.hadoop.fs.Path path =
                new org.apache.hadoop.fs.Path(dir.resolve(name).toUri());
        try (OutputStream out = fs.create(path)) {
            MinibatchFile.write(out, images(), digits(), first, count);
        }
        return path.toString();
    }

    private static byte[] images() throws IOException {
        return Mnist.imageBytes("train-images-idx3-ubyte", 192);
    }

    private static byte[] digits() throws IOException {
        return Mnist.labelBytes("train-labels-idx1-ubyte", 192);
    }
}
