package io.sparklstm.score;

import io.sparklstm.data.IdxHeader;
import java.io.Serializable;

/**
 * One partition's worth of images to score: their ids, pixels (784 floats each, scaled to [0, 1]) and, when labels
 * were given, their labels (-1 otherwise). A plain class, not a record: Spark's Kryo (4.x) cannot write records, and
 * a parallelized collection's partitions are written with it.
 */
final class ImageBlock implements Serializable {

    static final int PIXELS = IdxHeader.PIXELS;

    private final long[] ids;
    private final float[] pixels;
    private final int[] labels;

    ImageBlock(long[] ids, float[] pixels, int[] labels) {
        this.ids = ids;
        this.pixels = pixels;
        this.labels = labels;
    }

    long[] ids() {
        return ids;
    }

    float[] pixels() {
        return pixels;
    }

    int[] labels() {
        return labels;
    }

    int size() {
        return ids.length;
    }
}
