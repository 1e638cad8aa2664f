package io.sparklstm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.impl.SerializedDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loads a staged minibatch on a worker and applies {@link RandomShift} to it. The offsets are a pure function of the
 * run's seed, the epoch and the minibatch file, so a run is reproducible and a resumed run sees the same images, while
 * every epoch sees each image moved differently. The staged files themselves stay unshifted.
 */
public final class ShiftingLoader implements DataSetLoader {

    private static final long serialVersionUID = 1L;

    private final RandomShift shift;
    private final long seed;
    private final int epoch;

    public ShiftingLoader(int maxShift, long seed, int epoch) {
        this.shift = new RandomShift(maxShift);
        this.seed = seed;
        this.epoch = epoch;
    }

    @Override
    public DataSet load(Source source) throws IOException {
        DataSet staged = new SerializedDataSetLoader().load(source);
        INDArray features = staged.getFeatures();
        float[] shifted = shift.apply(features.castTo(DataType.FLOAT).dup('c').data().asFloat(), random(source));
        return new DataSet(Nd4j.create(shifted, features.shape(), 'c'), staged.getLabels());
    }

    private SplittableRandom random(Source source) {
        long h = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))).nextLong();
        String path = source.getPath();
        String file = path.substring(path.lastIndexOf('/') + 1);     // not the directory: it names the run
        for (byte b : file.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return new SplittableRandom(h);
    }
}
