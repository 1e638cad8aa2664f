package io.sparklstm.data;

import java.io.Serializable;

/**
 * A contiguous run of examples that one Spark task turns into minibatch files. It is a few numbers and two paths, so
 * tasks stay tiny whatever the data set's size: executors read the bytes themselves.
 *
 * @param images      uncompressed IDX image file
 * @param labels      uncompressed IDX label file
 * @param first       index of the shard's first example; a multiple of {@code batchSize}
 * @param count       examples in the shard
 * @param batchSize   examples per minibatch file (the last one of the split may be smaller)
 * @param outputDir   directory the minibatch files are written to
 */
public record Shard(String images, String labels, long first, int count, int batchSize, String outputDir)
        implements Serializable {

    /** Global index of the shard's first minibatch, used in file names so that sorting names sorts batches. */
    public long firstBatch() {
        return first / batchSize;
    }
}
