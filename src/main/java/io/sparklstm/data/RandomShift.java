package io.sparklstm.data;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Random translation of whole images, the classic MNIST augmentation: each image moves by up to {@code maxShift}
 * pixels vertically and horizontally (independently, uniformly, pixels moved in from outside are 0 = background).
 * The digit stays a digit, so the label stays; the network no longer sees the exact same 60,000 images every epoch,
 * which is what lets it keep learning where it would otherwise start to memorise them.
 *
 * <p>Works on the job's minibatch layout ({@link Minibatches}: C-ordered {@code [examples, 28 columns, 28 rows]}).</p>
 */
public final class RandomShift implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxShift;

    /** @param maxShift largest shift in pixels along each axis, {@code >= 0} (0 leaves images unchanged) */
    public RandomShift(int maxShift) {
        if (maxShift < 0 || maxShift >= Minibatches.STEPS) {
            throw new IllegalArgumentException(
                    "maxShift must be in [0, " + (Minibatches.STEPS - 1) + "], got " + maxShift);
        }
        this.maxShift = maxShift;
    }

    /** Shifts every image of {@code features} (one minibatch, see class comment) by its own random offset. */
    public float[] apply(float[] features, SplittableRandom random) {
        int pixels = Minibatches.FEATURES * Minibatches.STEPS;
        float[] out = new float[features.length];
        for (int example = 0; example < features.length / pixels; example++) {
            int down = offset(random);
            int right = offset(random);
            shift(features, out, example * pixels, down, right);
        }
        return out;
    }

    /** One offset along one axis, uniform in {@code [-maxShift, maxShift]}: first the rows', then the columns'. */
    int offset(SplittableRandom random) {
        return random.nextInt(2 * maxShift + 1) - maxShift;
    }

    /** Copies one image moved {@code down} rows and {@code right} columns (negative: up, left) into {@code out}. */
    static void shift(float[] in, float[] out, int offset, int down, int right) {
        int rows = Minibatches.STEPS;
        for (int col = Math.max(0, right); col < Math.min(Minibatches.FEATURES, Minibatches.FEATURES + right); col++) {
            int src = offset + (col - right) * rows;
            int dst = offset + col * rows;
            int from = Math.max(0, down);
            int to = Math.min(rows, rows + down);
            System.arraycopy(in, src + from - down, out, dst + from, to - from);
        }
    }
}
