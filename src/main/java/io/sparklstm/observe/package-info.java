/**
 * What an operator sees of a running job: the labels of its Spark jobs ({@link io.sparklstm.observe.JobLabels}), its
 * live figures ({@link io.sparklstm.observe.LiveMetrics}) as Spark metrics ({@link io.sparklstm.observe.MetricsPlugin})
 * and as progress lines or a progress bar ({@link io.sparklstm.observe.TrainingProgress}). Uses only {@code common};
 * the stages that train and evaluate report into it.
 */
package io.sparklstm.observe;
