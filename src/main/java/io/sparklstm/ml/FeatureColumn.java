package io.sparklstm.ml;

import io.sparklstm.data.IdxHeader;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads images from a features column: a Vector ({@code org.apache.spark.ml.linalg}) of 784 values or an array of 784
 * floats or doubles, row-major ({@code row * 28 + column}). The values are used as they are: the command-line job
 * scales pixels to [0, 1], so a model it trained expects that scale.
 */
final class FeatureColumn {

    static final int VALUES = IdxHeader.PIXELS;

    private FeatureColumn() {}

    /** Checks that {@code column} exists with one of the accepted types. */
    static void check(StructType schema, String column) {
        if (schema.getFieldIndex(column).isEmpty()) {
            throw new IllegalArgumentException("featuresCol '" + column + "' is not a column of the input; it has "
                    + List.of(schema.fieldNames()));
        }
        DataType type = schema.apply(column).dataType();
        boolean accepted = type.equals(SQLDataTypes.VectorType())
                || (type instanceof ArrayType array
                        && (array.elementType().equals(DataTypes.FloatType)
                                || array.elementType().equals(DataTypes.DoubleType)));
        if (!accepted) {
            throw new IllegalArgumentException("featuresCol '" + column + "': expected a Vector of " + VALUES
                    + " values or an array of floats or doubles, found " + type.simpleString());
        }
    }

    /** Copies row {@code row}'s image, at field {@code field}, into {@code out} from {@code offset}. */
    static void copy(Row row, int field, String column, float[] out, int offset) {
        Object value = row.isNullAt(field) ? null : row.get(field);
        List<Object> values = value == null || value instanceof Vector ? null : row.getList(field);
        int size = value instanceof Vector vector ? vector.size() : values == null ? -1 : values.size();
        if (size != VALUES) {
            throw new IllegalArgumentException("featuresCol '" + column + "': expected " + VALUES + " values per row,"
                    + " found " + (value == null ? "null" : size));
        }
        if (value instanceof Vector vector) {
            for (int i = 0; i < VALUES; i++) {
                out[offset + i] = (float) vector.apply(i);
            }
            return;
        }
        for (int i = 0; i < VALUES; i++) {
            Object v = values.get(i);
            if (v == null) {
                throw new IllegalArgumentException("featuresCol '" + column + "': value " + i + " is null");
            }
            out[offset + i] = ((Number) v).floatValue();
        }
    }
}
