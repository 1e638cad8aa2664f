package io.sparklstm.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.spark.util.BroadcastHadoopConfigHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a split as minibatch files once per run, so that every epoch trains from files instead of re-serializing the
 * data set. The driver only plans {@link Shard}s (a few numbers each); executors read the IDX byte ranges and write the
 * files in parallel. A gzipped input cannot be read by byte range, so the driver first streams it, decompressed, into
 * the staging directory.
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
     * under {@code dir}.
     */
    public StagedSplit stage(LabeledSplit split, int limit, int batchSize, Path dir) throws IOException {
        long started = System.nanoTime();
        int examples = split.used(limit);
        String images = uncompressed(split.images().file(), dir);
        String labels = uncompressed(split.labels().file(), dir);
        List<Shard> shards = plan(images, labels, examples, batchSize, new Path(dir, "batches"));

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

    private List<Shard> plan(String images, String labels, int examples, int batchSize, Path out) {
        int batches = (examples + batchSize - 1) / batchSize;
        int tasksWanted = 4 * sc.defaultParallelism();
        int batchesPerShard = Math.max(1, Math.min(MAX_BATCHES_PER_SHARD, (batches + tasksWanted - 1) / tasksWanted));
        int shardExamples = batchesPerShard * batchSize;
        List<Shard> shards = new ArrayList<>();
        for (long first = 0; first < examples; first += shardExamples) {
            int count = (int) Math.min(shardExamples, examples - first);
            shards.add(new Shard(images, labels, first, count, batchSize, out.toString()));
        }
        return shards;
    }

    /** The path executors read: the file itself when raw, else a decompressed copy in {@code dir}. */
    private String uncompressed(IdxFile file, Path dir) throws IOException {
        if (!file.compressed()) {
            return file.path().toString();
        }
        Path copy = new Path(dir, file.name());
        FileSystem source = file.path().getFileSystem(fs.getConf());
        try (InputStream in = file.decode(source.open(file.path(), 1 << 16));
                OutputStream out = fs.create(copy, true)) {
            in.transferTo(out);
        }
        return fs.makeQualified(copy).toString();
    }
}
