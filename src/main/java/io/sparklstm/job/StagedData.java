package io.sparklstm.job;

import io.sparklstm.data.StagedSplit;

/**
 * The minibatch files of both splits under the run's scratch space.
 *
 * @param train training minibatches of {@code --batch-size}
 * @param test  test minibatches of {@link StageMinibatches#EVAL_BATCH_SIZE}
 */
record StagedData(StagedSplit train, StagedSplit test) {}
