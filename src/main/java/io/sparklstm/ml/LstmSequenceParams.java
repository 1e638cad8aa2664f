package io.sparklstm.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The params the estimator and its model share, with MLlib's names and defaults: {@code featuresCol}
 * ({@code "features"}), {@code predictionCol} ({@code "prediction"}), {@code probabilityCol} ({@code "probability"})
 * and {@code blockSize}, the minibatch size (of training, and of prediction).
 */
public interface LstmSequenceParams extends Params {

    /** Images: a Vector of 784 values or an array of 784 floats or doubles, row-major 28 x 28. */
    Param<String> featuresCol();

    /** The predicted class, 0-9, as a double (MLlib's convention). */
    Param<String> predictionCol();

    /** The 10 class probabilities, as a Vector. */
    Param<String> probabilityCol();

    /** Examples per minibatch. */
    IntParam blockSize();

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    default int getBlockSize() {
        return (Integer) getOrDefault(blockSize());
    }

    /** The schema with the prediction and probability columns added, after checking the features column. */
    default StructType withPredictionColumns(StructType schema) {
        FeatureColumn.check(schema, getFeaturesCol());
        for (String output : new String[] {getPredictionCol(), getProbabilityCol()}) {
            if (schema.getFieldIndex(output).isDefined()) {
                throw new IllegalArgumentException("output column '" + output + "' already exists in the input");
            }
        }
        return schema.add(getPredictionCol(), DataTypes.DoubleType, false)
                .add(getProbabilityCol(), SQLDataTypes.VectorType(), false);
    }
}
