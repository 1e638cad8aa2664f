package io.sparklstm.data;

import java.io.Serializable;

/**
 * A contiguous run of examples that one Spark task turns into minibatch files. It is a few numbers and two paths, so
 * tasks stay tiny whatever the data set's size: executors read the bytes themselves, and check them against the CRC-32
 * the driver computed from the bytes it validated.
 *
 * <p>A plain class rather than a record: Spark ships it with Kryo 4, which cannot build records.
 */
public final class Shard implements Serializable {

    private static final long serialVersionUID = 2L;

    private final String images;
    private final String labels;
    private final long first;
    private final int count;
    private final int batchSize;
    private final String outputDir;
    private final long imagesCrc32;
    private final long labelsCrc32;

    /**
     * @param images      uncompressed IDX image file
     * @param labels      uncompressed IDX label file
     * @param first       index of the shard's first example; a multiple of {@code batchSize}
     * @param count       examples in the shard
     * @param batchSize   examples per minibatch file (the last one of the split may be smaller)
     * @param outputDir   directory the minibatch files are written to
     * @param imagesCrc32 CRC-32 of the shard's pixel bytes in {@code images}, as validated on the driver
     * @param labelsCrc32 CRC-32 of the shard's label bytes in {@code labels}, as validated on the driver
     */
    public Shard(
            String images,
            String labels,
            long first,
            int count,
            int batchSize,
            String outputDir,
            long imagesCrc32,
            long labelsCrc32) {
        this.images = images;
        this.labels = labels;
        this.first = first;
        this.count = count;
        this.batchSize = batchSize;
        this.outputDir = outputDir;
        this.imagesCrc32 = imagesCrc32;
        this.labelsCrc32 = labelsCrc32;
    }

    public String images() {
        return images;
    }

    public String labels() {
        return labels;
    }

    public long first() {
        return first;
    }

    public int count() {
        return count;
    }

    public int batchSize() {
        return batchSize;
    }

    public String outputDir() {
        return outputDir;
    }

    /** CRC-32 of the pixel bytes of examples {@code first .. first + count - 1}, as validated on the driver. */
    public long imagesCrc32() {
        return imagesCrc32;
    }

    /** CRC-32 of the label bytes of examples {@code first .. first + count - 1}, as validated on the driver. */
    public long labelsCrc32() {
        return labelsCrc32;
    }

    /** Global index of the shard's first minibatch, used in file names so that sorting names sorts batches. */
    public long firstBatch() {
        return first / batchSize;
    }

    /** The shard's examples as {@code first-last} (inclusive), for messages. */
    public String exampleRange() {
        return first + "-" + (first + count - 1);
    }
}
