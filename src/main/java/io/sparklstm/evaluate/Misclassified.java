package io.sparklstm.evaluate;

/**
 * A test image the model got wrong.
 *
 * @param index     its position in the test set
 * @param label     the true class
 * @param predicted the predicted class
 * @param pixels    its 784 IDX pixel bytes, row-major
 */
public record Misclassified(int index, int label, int predicted, byte[] pixels) {}
