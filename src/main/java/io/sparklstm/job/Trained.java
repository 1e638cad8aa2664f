package io.sparklstm.job;

import io.sparklstm.common.EpochStats;
import io.sparklstm.evaluate.ClassificationReport;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The outcome of the training stage.
 *
 * @param network          the trained network
 * @param epochs           statistics of every epoch, including those of a resumed checkpoint
 * @param executors        Spark executors that ran training tasks in this attempt
 * @param lostExecutors    executors lost while training, with Spark's reason
 * @param taskRetries      training task attempts that failed and were retried
 * @param resumedFromEpoch the checkpoint's epoch this attempt resumed from, or null
 * @param lastEvaluation   the test-set evaluation of the final parameters when an epoch measured it, else null
 */
record Trained(
        MultiLayerNetwork network,
        List<EpochStats> epochs,
        SortedSet<String> executors,
        SortedMap<String, String> lostExecutors,
        int taskRetries,
        Integer resumedFromEpoch,
        ClassificationReport lastEvaluation) {}
