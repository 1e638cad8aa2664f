package io.sparklstm.score;

import io.sparklstm.common.BadInputException;
import io.sparklstm.data.IdxFile;
import io.sparklstm.data.IdxHeader;
import io.sparklstm.data.IdxScan;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * The images to score, as blocks of up to {@value #BLOCK} images. From an IDX image file, validated exactly as in
 * training ({@link IdxScan}) and read on the driver; or from Parquet, read by the executors, with the image in
 * {@link ScoreRequest#imageColumn()} and the id in {@link ScoreRequest#idColumn()} (or the row index).
 */
final class ImageSource {

    static final int BLOCK = 1024;

    private ImageSource() {}

    /** The input's images, labelled from {@code labels} (or -1 each) when given. */
    static JavaRDD<ImageBlock> read(ScoreRequest request, JavaSparkContext sc, int[] labels) throws IOException {
        Configuration hadoop = sc.hadoopConfiguration();
        Path input = new Path(request.input());
        FileSystem fs = input.getFileSystem(hadoop);
        if (!fs.exists(input)) {
            throw new BadInputException("--input " + request.input() + ": not found");
        }
        if (fs.getFileStatus(input).isDirectory() || input.getName().endsWith(".parquet")) {
            return parquet(request, sc, labels);
        }
        String name = input.getName().endsWith(".gz")
                ? input.getName().substring(0, input.getName().length() - 3)
                : input.getName();
        IdxFile file = IdxFile.locate(fs, input.getParent(), name, IdxHeader.Kind.IMAGES);
        IdxScan scan = IdxScan.of(fs, file, request.limit());
        int count = request.limit() > 0
                ? Math.min(request.limit(), scan.header().count())
                : scan.header().count();
        checkLabels(labels, count);
        byte[] pixels = payload(fs, file, count);
        List<ImageBlock> blocks = new ArrayList<>();
        for (int first = 0; first < count; first += BLOCK) {
            int n = Math.min(BLOCK, count - first);
            long[] ids = new long[n];
            float[] values = new float[n * ImageBlock.PIXELS];
            int[] blockLabels = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = first + i;
                blockLabels[i] = labels == null ? -1 : labels[first + i];
            }
            for (int k = 0; k < values.length; k++) {
                values[k] = (pixels[first * ImageBlock.PIXELS + k] & 0xFF) / 255f;
            }
            blocks.add(new ImageBlock(ids, values, blockLabels));
        }
        return sc.parallelize(blocks, Math.max(1, Math.min(blocks.size(), sc.defaultParallelism())));
    }

    /** The labels of an IDX label file, validated, the first {@code limit} (all when 0). */
    static int[] labels(String uri, int limit, Configuration hadoop) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        String name = path.getName().endsWith(".gz")
                ? path.getName().substring(0, path.getName().length() - 3)
                : path.getName();
        IdxFile file = IdxFile.locate(fs, path.getParent(), name, IdxHeader.Kind.LABELS);
        IdxScan scan = IdxScan.of(fs, file, limit);
        int count = limit > 0
                ? Math.min(limit, scan.header().count())
                : scan.header().count();
        byte[] bytes = payload(fs, file, count);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = bytes[i];
        }
        return labels;
    }

    private static byte[] payload(FileSystem fs, IdxFile file, int count) throws IOException {
        try (InputStream in = file.decode(fs.open(file.path()))) {
            in.skipNBytes(file.kind().headerBytes());
            return in.readNBytes(count * file.kind().bytesPerExample());
        }
    }

    private static void checkLabels(int[] labels, int count) {
        if (labels != null && labels.length != count) {
            throw new BadInputException(
                    "--labels: " + labels.length + " labels for " + count + " images, expected one label per image");
        }
    }

    private static JavaRDD<ImageBlock> parquet(ScoreRequest request, JavaSparkContext sc, int[] labels) {
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Dataset<Row> data = spark.read().parquet(request.input());
        StructField image = field(data, request.imageColumn(), "--image-column");
        if (!isImageType(image.dataType())) {
            throw new BadInputException("--image-column " + image.name() + ": type "
                    + image.dataType().simpleString()
                    + ", expected an array of 784 floats, doubles or bytes, or binary of 784 bytes");
        }
        String id = request.idColumn();
        if (id != null) {
            field(data, id, "--id-column");
        }
        if (request.limit() > 0) {
            data = data.limit(request.limit());
        }
        Dataset<Row> selected = id == null ? data.select(image.name()) : data.select(id, image.name());
        rejectMalformedImages(selected, image, request.input());
        long count = selected.count();
        checkLabels(labels, (int) Math.min(count, Integer.MAX_VALUE));
        boolean withId = id != null;
        return selected.javaRDD().zipWithIndex().mapPartitions(rows -> blocks(rows, withId, labels));
    }

    /**
     * Checks every image before anything is scored or written: a null image, or one of another size than 784 values,
     * is a bad input (exit 2).
     */
    private static void rejectMalformedImages(Dataset<Row> selected, StructField image, String input) {
        Column value = functions.col(image.name());
        Column size = image.dataType() instanceof BinaryType ? functions.length(value) : functions.size(value);
        Dataset<Row> bad = selected.filter(value.isNull().or(size.notEqual(ImageBlock.PIXELS)));
        long count = bad.count();
        if (count > 0) {
            Row first = bad.select(size.alias("size")).first();
            throw new BadInputException("--input " + input + ", column " + image.name() + ": " + count
                    + " image(s) without exactly "
                    + ImageBlock.PIXELS + " values (e.g. one with " + (first.isNullAt(0) ? "none" : first.get(0))
                    + ")");
        }
    }

    private static Iterator<ImageBlock> blocks(Iterator<Tuple2<Row, Long>> rows, boolean withId, int[] labels) {
        List<ImageBlock> blocks = new ArrayList<>();
        List<Tuple2<Row, Long>> pending = new ArrayList<>();
        while (rows.hasNext()) {
            pending.add(rows.next());
            if (pending.size() == BLOCK || !rows.hasNext()) {
                int n = pending.size();
                long[] ids = new long[n];
                float[] values = new float[n * ImageBlock.PIXELS];
                int[] blockLabels = new int[n];
                for (int i = 0; i < n; i++) {
                    Row row = pending.get(i)._1();
                    long index = pending.get(i)._2();
                    ids[i] = withId ? ((Number) row.get(0)).longValue() : index;
                    blockLabels[i] = labels == null ? -1 : labels[(int) index];
                    pixels(row, withId ? 1 : 0, values, i * ImageBlock.PIXELS, index);
                }
                blocks.add(new ImageBlock(ids, values, blockLabels));
                pending.clear();
            }
        }
        return blocks.iterator();
    }

    /** One image value as 784 floats in [0, 1]: floats and doubles as given, bytes (0-255) divided by 255. */
    private static void pixels(Row row, int column, float[] into, int offset, long index) {
        if (row.isNullAt(column)) {
            throw new BadInputException("--input row " + index + ": no image (null)");
        }
        if (row.get(column) instanceof byte[] bytes) {
            checkSize(bytes.length, index);
            for (int k = 0; k < bytes.length; k++) {
                into[offset + k] = (bytes[k] & 0xFF) / 255f;
            }
            return;
        }
        List<Object> values = row.getList(column);
        checkSize(values.size(), index);
        for (int k = 0; k < values.size(); k++) {
            Object v = values.get(k);
            into[offset + k] = v instanceof Byte b ? (b & 0xFF) / 255f : ((Number) v).floatValue();
        }
    }

    private static void checkSize(int size, long row) {
        if (size != ImageBlock.PIXELS) {
            throw new BadInputException(
                    "--input row " + row + ": " + size + " pixel values, expected " + ImageBlock.PIXELS);
        }
    }

    private static StructField field(Dataset<Row> data, String name, String option) {
        for (StructField f : data.schema().fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new BadInputException(option + " " + name + ": no such column in --input (columns: "
                + String.join(", ", data.columns()) + ")");
    }

    private static boolean isImageType(DataType type) {
        if (type instanceof BinaryType) {
            return true;
        }
        if (type instanceof ArrayType array) {
            DataType element = array.elementType();
            return element instanceof FloatType || element instanceof DoubleType || element instanceof ByteType;
        }
        return false;
    }
}
