package io.sparklstm.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a split as minibatch files once per run, so that every epoch trains from files instead of re-serializing the
 * data set. The driver only plans {@link Shard}s (a few numbers each); executors read the IDX byte ranges and write the
 * files in parallel.
 *
 * <p>Before planning, the driver streams each input file once more: it recomputes the file's SHA-256 and refuses the
 * file if it changed since {@link MnistInputs#inspect validation}, and computes the CRC-32 of every shard's byte range
 * from those same bytes; executors check what they read against it ({@link StageShardFunction}). A gzipped input
 * cannot be read by byte range, so in that pass the driver also writes a decompressed copy into the staging
 * directory: the header (declaring the examples staged) and the examples used, never the unused rest.
 */
public final class MinibatchStager {

    private static final Logger log = LoggerFactory.getLogger(MinibatchStager.class);

    /** Upper bound of minibatches per staging task: keeps each task's read buffer to a few MB. */
    private static final int MAX_BATCHES_PER_SHARD = 64;

    private final JavaSparkContext sc;
    private final FileSystem fs;

    /** @param fs the FileSystem of the staging directories (the output store's) */
    public MinibatchStager(JavaSparkContext sc, FileSystem fs) {
        this.sc = sc;
        this.fs = fs;
    }

    /**
     * Stages the first {@code split.used(limit)} examples of {@code split} as minibatches of {@code batchSize}
     * under {@code dir}. {@code limit} must not exceed what the split was validated for: pass the limit given to
     * {@link MnistInputs#inspect(String, org.apache.hadoop.conf.Configuration, int, int)}.
     *
     * @throws IdxFormatException if an input file changed since it was validated
     */
    public StagedSplit stage(LabeledSplit split, int limit, int batchSize, Path dir) throws IOException {
        long started = System.nanoTime();
        int examples = split.used(limit);
        if (examples > split.checked()) {
            throw new IllegalArgumentException("cannot stage " + examples + " " + split.name()
                    + " examples: only the first " + split.checked()
                    + " were validated (gzipped input inspected with a smaller limit)");
        }
        int[] counts = plan(examples, batchSize);
        Verified images = verify(split.images(), counts, dir);
        Verified labels = verify(split.labels(), counts, dir);
        String out = new Path(dir, "batches").toString();
        List<Shard> shards = new ArrayList<>(counts.length);
        long first = 0;
        for (int i = 0; i < counts.length; i++) {
            shards.add(new Shard(
                    images.path(), labels.path(), first, counts[i], batchSize, out, images.crc32(i), labels.crc32(i)));
            first += counts[i];
        }

        sc.setJobDescription("stage " + split.name() + " minibatches");
        List<String> paths;
        try {
            paths = new ArrayList<>(sc.parallelize(shards, shards.size())
                    .flatMap(new StageShardFunction(BroadcastHadoopConfigHolder.get(sc)))
                    .collect());
        } finally {
            sc.setJobDescription(null);
        }
        paths.sort(null);
        log.info(
                "Staged {} {} examples as {} minibatch files in {} ({} s)",
                examples,
                split.name(),
                paths.size(),
                fs.makeQualified(dir),
                String.format("%.1f", (System.nanoTime() - started) / 1e9));
        return new StagedSplit(split.name(), paths, examples, batchSize);
    }

    /** Examples per shard: whole minibatches, a few tasks per core, the last shard takes the rest. */
    private int[] plan(int examples, int batchSize) {
        int batches = (examples + batchSize - 1) / batchSize;
        int tasksWanted = 4 * sc.defaultParallelism();
        int batchesPerShard = Math.max(1, Math.min(MAX_BATCHES_PER_SHARD, (batches + tasksWanted - 1) / tasksWanted));
        int shardExamples = batchesPerShard * batchSize;
        int[] counts = new int[(examples + shardExamples - 1) / shardExamples];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = (int) Math.min(shardExamples, examples - (long) i * shardExamples);
        }
        return counts;
    }

    /**
     * The file executors read and the CRC-32 of each shard's byte range in it.
     *
     * @param path   the file itself when raw, else its decompressed copy
     * @param crc32s one per shard, in order
     */
    private record Verified(String path, long[] crc32s) {
        long crc32(int shard) {
            return crc32s[shard];
        }
    }

    /**
     * Streams {@code scan}'s file once more: recomputes its SHA-256 and refuses it if it differs from the scan's, and
     * computes the CRC-32 of each shard's range (shards are consecutive from example 0) from the same bytes. A gzipped
     * file is inflated only through the last example used and copied, header and those examples, into {@code dir}.
     */
    private Verified verify(IdxScan scan, int[] counts, Path dir) throws IOException {
        IdxFile file = scan.file();
        FileSystem source = file.path().getFileSystem(fs.getConf());
        String where = source.makeQualified(file.path()).toString();
        file.requireRegularFile(source);
        Path copy = file.compressed() ? new Path(dir, file.name()) : null;
        int examples = 0;
        for (int count : counts) {
            examples += count;
        }
        try {
            return checksum(scan, counts, copy, examples, where, source);
        } catch (IdxFormatException e) {
            if (copy != null) {
                fs.delete(copy, false); // a copy of a changed file is no use to anyone
            }
            throw e;
        }
    }

    private Verified checksum(IdxScan scan, int[] counts, Path copy, int examples, String where, FileSystem source)
            throws IOException {
        IdxFile file = scan.file();
        IdxHeader.Kind kind = file.kind();
        long[] crcs = new long[counts.length];
        MessageDigest sha = IdxScan.newSha256();
        try (InputStream stored = new DigestInputStream(source.open(file.path(), 1 << 16), sha)) {
            InputStream content = file.decode(stored);
            try (OutputStream out = copy == null ? OutputStream.nullOutputStream() : fs.create(copy, true)) {
                byte[] header = content.readNBytes(kind.headerBytes());
                if (header.length < kind.headerBytes()) {
                    throw changed(where, "it now ends inside its header");
                }
                ByteBuffer.wrap(header).putInt(4, examples); // the copy declares the examples it holds
                out.write(header);
                byte[] buffer = new byte[1 << 16];
                long example = 0;
                for (int shard = 0; shard < counts.length; shard++) {
                    CRC32 crc = new CRC32();
                    for (long left = (long) counts[shard] * kind.bytesPerExample(); left > 0; ) {
                        int n = content.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            throw changed(
                                    where,
                                    "it now ends within examples " + example + "-" + (example + counts[shard] - 1));
                        }
                        crc.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                        left -= n;
                    }
                    crcs[shard] = crc.getValue();
                    example += counts[shard];
                }
            }
            stored.transferTo(OutputStream.nullOutputStream()); // the rest is hashed, never inflated
        } catch (ZipException | EOFException e) {
            throw changed(where, "it is no longer a valid gzip stream (" + e.getMessage() + ")");
        }
        String sha256 = HexFormat.of().formatHex(sha.digest());
        if (!sha256.equals(scan.sha256())) {
            throw changed(where, "its SHA-256 is now " + sha256 + ", it was " + scan.sha256() + " when validated");
        }
        if (copy == null) {
            return new Verified(file.path().toString(), crcs);
        }
        log.info("Decompressed the first {} examples of {} into {}", examples, where, fs.makeQualified(copy));
        return new Verified(fs.makeQualified(copy).toString(), crcs);
    }

    private static IdxFormatException changed(String where, String detail) {
        return new IdxFormatException(where, "changed since it was validated: " + detail);
    }
}
