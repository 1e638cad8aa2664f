package io.sparklstm.evaluate;

import java.util.Arrays;

/**
 * Test-set quality from a confusion matrix: accuracy, per-class precision, recall and F1, and their macro average.
 * Classes with no predictions (or no examples) count with precision (recall) 0 rather than being left out of the
 * macro average, so a model that never predicts a class is penalised for it.
 *
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record ClassificationReport(long[][] confusion) {

    public ClassificationReport {
        confusion = Arrays.stream(confusion).map(long[]::clone).toArray(long[][]::new);
        for (long[] row : confusion) {
            if (row.length != confusion.length) {
                throw new IllegalArgumentException("confusion matrix must be square");
            }
        }
    }

    public int classes() {
        return confusion.length;
    }

    public long examples() {
        return Arrays.stream(confusion).flatMapToLong(Arrays::stream).sum();
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < classes(); c++) {
            correct += confusion[c][c];
        }
        return examples() == 0 ? 0 : (double) correct / examples();
    }

    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return ratio(confusion[c][c], predicted);
    }

    public double recall(int c) {
        return ratio(confusion[c][c], Arrays.stream(confusion[c]).sum());
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroF1() {
        double sum = 0;
        for (int c = 0; c < classes(); c++) {
            sum += f1(c);
        }
        return sum / classes();
    }

    /** A copy of the matrix: row = actual class, column = predicted class. */
    /** The fraction of examples in the most frequent actual class: the accuracy of always answering that class. */
    public double majorityClassRate() {
        long largest = 0;
        for (long[] row : confusion) {
            long count = 0;
            for (long cell : row) {
                count += cell;
            }
            largest = Math.max(largest, count);
        }
        return examples() == 0 ? 0 : (double) largest / examples();
    }

    public long[][] confusionMatrix() {
        return Arrays.stream(confusion).map(long[]::clone).toArray(long[][]::new);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }
}
