package io.sparklstm.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;

/**
 * Runs on an executor: reads one shard's byte ranges of the IDX files straight from the FileSystem, checks them against
 * the CRC-32 the driver computed from the bytes it validated, and writes its minibatches as {@link MinibatchFile}s,
 * returning their paths. A range that no longer matches (the file was changed after the driver's pass) fails the task
 * with an {@link IOException} naming the file, the examples and both checksums, before anything is written. Files are
 * written under their final names with overwrite, so a retried task replaces what a failed attempt left.
 */
public final class StageShardFunction implements FlatMapFunction<Shard, String> {

    private final Broadcast<SerializableHadoopConfig> hadoop;

    public StageShardFunction(Broadcast<SerializableHadoopConfig> hadoop) {
        this.hadoop = hadoop;
    }

    @Override
    public Iterator<String> call(Shard shard) throws IOException {
        Configuration conf = hadoop.getValue().getConfiguration();
        byte[] pixels = read(conf, shard.images(), IdxHeader.Kind.IMAGES, shard, shard.imagesCrc32());
        byte[] labels = read(conf, shard.labels(), IdxHeader.Kind.LABELS, shard, shard.labelsCrc32());
        Path dir = new Path(shard.outputDir());
        FileSystem fs = dir.getFileSystem(conf);
        List<String> written = new ArrayList<>();
        for (int start = 0, batch = 0; start < shard.count(); start += shard.batchSize(), batch++) {
            int size = Math.min(shard.batchSize(), shard.count() - start);
            Path file = new Path(dir, String.format("batch-%08d.bin", shard.firstBatch() + batch));
            try (OutputStream out = fs.create(file, true)) {
                MinibatchFile.write(out, pixels, labels, start, size);
            }
            written.add(file.toString());
        }
        return written.iterator();
    }

    private static byte[] read(Configuration conf, String file, IdxHeader.Kind kind, Shard shard, long expectedCrc32)
            throws IOException {
        Path path = new Path(file);
        byte[] bytes = new byte[Math.multiplyExact(shard.count(), kind.bytesPerExample())];
        try (FSDataInputStream in = path.getFileSystem(conf).open(path, 1 << 16)) {
            in.seek(kind.offsetOf(shard.first()));
            new DataInputStream(in).readFully(bytes);
        } catch (EOFException e) {
            throw new IOException(
                    file + ": ends before examples " + shard.exampleRange()
                            + " were read: the file changed since it was validated on the driver",
                    e);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (crc.getValue() != expectedCrc32) {
            throw new IOException(String.format(
                    "%s: examples %s read with CRC-32 %08x, expected %08x as validated on the driver: the file"
                            + " changed since it was validated",
                    file, shard.exampleRange(), crc.getValue(), expectedCrc32));
        }
        return bytes;
    }
}
