package io.sparklstm.score;

/**
 * What to score, with which model, and where the predictions go: the {@code score} command's options.
 *
 * @param store       the model store (needed to name a model as {@code current} or a run id)
 * @param model       {@code current}, a run id of the store, or a model.zip URI
 * @param input       an IDX image file (raw or {@code .gz}), or a Parquet dataset with an image column
 * @param output      where the Parquet predictions go
 * @param overwrite   replace an existing output
 * @param labels      an IDX label file for the input's rows, in order, or null: then accuracy is printed
 * @param imageColumn Parquet input: the column with the image (784 floats or doubles in [0, 1], or 784 bytes as an
 *                    array or as binary: raw pixels 0-255)
 * @param idColumn    Parquet input: a column passed through as {@code id}, or null for the row index
 * @param limit       score only the first {@code limit} images, or all when 0
 * @param batchSize   images per minibatch on the executors
 */
public record ScoreRequest(
        String store,
        String model,
        String input,
        String output,
        boolean overwrite,
        String labels,
        String imageColumn,
        String idColumn,
        int limit,
        int batchSize) {}
