package io.sparklstm.job;

import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.QualityGate;

/**
 * The trained model judged on the test set.
 *
 * @param report accuracy, per-class scores and confusion matrix
 * @param gate   the quality gate's decision against the promoted model
 */
record Evaluation(ClassificationReport report, QualityGate.Decision gate) {}
