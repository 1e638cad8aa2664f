package io.sparklstm.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Loads a staged {@link MinibatchFile} on a worker, optionally moving every image by a {@link RandomShift}. The
 * offsets are a pure function of the run's seed, the epoch and the file's name, so a run is reproducible and a resumed
 * run sees the same images, while every epoch sees each image moved differently. The staged files stay unshifted.
 * Their bytes come from the JVM's {@link StagedFileCache} after the first epoch; files are opened with a small read
 * buffer ({@link StagedFileStream}).
 */
public final class MinibatchLoader implements DataSetLoader {

    private static final long serialVersionUID = 1L;

    private final RandomShift shift;
    private final long seed;
    private final int epoch;

    /**
     * @param maxShift largest shift in pixels (0: the images as staged)
     * @param seed     the run's seed
     * @param epoch    the epoch the minibatches are loaded for
     */
    public MinibatchLoader(int maxShift, long seed, int epoch) {
        this.shift = maxShift == 0 ? null : new RandomShift(maxShift);
        this.seed = seed;
        this.epoch = epoch;
    }

    @Override
    public DataSet load(Source source) throws IOException {
        MinibatchFile.Contents batch = MinibatchFile.read(
                StagedFileCache.jvm().bytes(source.getPath(), () -> StagedFileStream.open(source)), source.getPath());
        return batch.toDataSet(shift, shift == null ? null : random(source));
    }

    private SplittableRandom random(Source source) {
        long h = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))).nextLong();
        String path = source.getPath();
        String file = path.substring(path.lastIndexOf('/') + 1); // not the directory: it names the run
        for (byte b : file.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return new SplittableRandom(h);
    }
}
