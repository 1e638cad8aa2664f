package io.sparklstm.data;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An image file and its label file, validated together: both well formed and declaring the same number of examples.
 *
 * @param name   {@code train} or {@code test}
 * @param images the scanned image file
 * @param labels the scanned label file
 */
public record LabeledSplit(String name, IdxScan images, IdxScan labels) {

    public LabeledSplit {
        if (images.header().count() != labels.header().count()) {
            throw new IdxFormatException(
                    labels.file().path().toString(),
                    "has " + labels.header().count()
                            + " labels but " + images.file().path() + " has "
                            + images.header().count()
                            + " images, expected equal counts");
        }
    }

    /**
     * Locates and scans {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]}, checking
     * gzipped files only as far as the first {@code limit} examples (0: all; see {@link IdxScan}).
     */
    static LabeledSplit scan(FileSystem fs, Path dir, String name, String prefix, int limit) throws IOException {
        IdxFile images = IdxFile.locate(fs, dir, prefix + "-images-idx3-ubyte", IdxHeader.Kind.IMAGES);
        IdxFile labels = IdxFile.locate(fs, dir, prefix + "-labels-idx1-ubyte", IdxHeader.Kind.LABELS);
        return new LabeledSplit(name, IdxScan.of(fs, images, limit), IdxScan.of(fs, labels, limit));
    }

    /** Examples available in the files. */
    public int count() {
        return images.header().count();
    }

    /** Leading examples validated in both files: all, unless a gzipped file was scanned with a limit. */
    public int checked() {
        return Math.min(images.checkedExamples(), labels.checkedExamples());
    }

    /** Examples to use: the first {@code limit}, or all when {@code limit} is 0 or larger than the split. */
    public int used(int limit) {
        return limit <= 0 ? count() : Math.min(limit, count());
    }
}
