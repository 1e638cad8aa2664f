package io.sparklstm.data;

import java.util.List;

/**
 * A split written as minibatch files on the output FileSystem.
 *
 * @param name       {@code train} or {@code test}
 * @param batchPaths the minibatch files, in example order
 * @param examples   examples across all files
 * @param batchSize  examples per file (the last may hold fewer)
 */
public record StagedSplit(String name, List<String> batchPaths, int examples, int batchSize) {
    public StagedSplit {
        batchPaths = List.copyOf(batchPaths);
    }
}
