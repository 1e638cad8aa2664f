/**
 * The Spark ML API: {@link io.sparklstm.ml.LstmSequenceClassifier}, an {@code Estimator} that trains the job's
 * network with the job's own distributed trainer, and {@link io.sparklstm.ml.LstmSequenceClassificationModel}, the
 * {@code Transformer} it fits, which MLlib's Pipelines save and load. A layer of its own at the top, beside the
 * command line: it uses the training, model and data stages and nothing uses it.
 */
package io.sparklstm.ml;
