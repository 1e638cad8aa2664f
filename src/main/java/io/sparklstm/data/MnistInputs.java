package io.sparklstm.data;

import io.sparklstm.common.BadInputException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The four files of an MNIST-format data set in one directory of any Hadoop FileSystem, each raw or gzipped, all
 * validated before any training starts: any data set with 28x28 unsigned-byte images and labels 0-9 qualifies.
 *
 * @param directory the fully qualified data directory
 * @param train     training images and labels
 * @param test      test images and labels
 */
public record MnistInputs(Path directory, LabeledSplit train, LabeledSplit test) {

    /**
     * Locates, reads and validates the four files under {@code uri} whole; fails with a {@link BadInputException}. A
     * run that uses only the first examples of a split should call {@link #inspect(String, Configuration, int, int)}.
     */
    public static MnistInputs inspect(String uri, Configuration hadoop) throws IOException {
        return inspect(uri, hadoop, 0, 0);
    }

    /**
     * Locates, reads and validates the four files under {@code uri}; fails with a {@link BadInputException}. Gzipped
     * files are inflated and checked only as far as the examples the run uses (the unused tail of a gzipped file is
     * hashed but not validated, see {@link IdxScan}); raw files are checked whole. Only regular files are read (see
     * {@link IdxFile#locate}).
     *
     * @param trainLimit training examples the run uses, as {@code --train-limit}: the first N, 0 = all
     * @param testLimit  test examples the run uses, as {@code --test-limit}: the first N, 0 = all
     */
    public static MnistInputs inspect(String uri, Configuration hadoop, int trainLimit, int testLimit)
            throws IOException {
        Path dir = new Path(uri);
        FileSystem fs = dir.getFileSystem(hadoop);
        Path qualified = fs.makeQualified(dir);
        if (!fs.exists(dir)) {
            throw new BadInputException("--data " + qualified + ": directory not found, expected a directory with "
                    + "the MNIST-format files (fetch MNIST with data/fetch-mnist.sh)");
        }
        if (!fs.getFileStatus(dir).isDirectory()) {
            throw new BadInputException("--data " + qualified + ": is a file, expected a directory");
        }
        return new MnistInputs(
                qualified,
                LabeledSplit.scan(fs, qualified, "train", "train", trainLimit),
                LabeledSplit.scan(fs, qualified, "test", "t10k", testLimit));
    }

    /** SHA-256 of every input file by its qualified path, for provenance. */
    public Map<String, String> sha256ByFile() {
        Map<String, String> sums = new LinkedHashMap<>();
        for (LabeledSplit split : new LabeledSplit[] {train, test}) {
            for (IdxScan scan : new IdxScan[] {split.images(), split.labels()}) {
                sums.put(scan.file().path().toString(), scan.sha256());
            }
        }
        return sums;
    }
}
