package io.sparklstm;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A real HDFS ({@link io.sparklstm.cluster.MiniHdfs}: NameNode and DataNode from hadoop-minicluster) shared by the
 * tests of one JVM, with a copy of MNIST uploaded once.
 */
public final class MiniHdfs {

    private static io.sparklstm.cluster.MiniHdfs hdfs;

    private MiniHdfs() {}

    private static synchronized io.sparklstm.cluster.MiniHdfs hdfs() throws IOException {
        if (hdfs == null) {
            hdfs = io.sparklstm.cluster.MiniHdfs.start(Files.createTempDirectory("sparklstm-hdfs"), 1);
            Runtime.getRuntime().addShutdownHook(new Thread(hdfs::close));
            fs().copyFromLocalFile(false, true, new Path(Mnist.dir().toUri()), new Path("/data/mnist"));
        }
        return hdfs;
    }

    /** {@code hdfs://host:port} of the shared cluster. */
    public static String uri() throws IOException {
        return hdfs().uri();
    }

    /** MNIST on HDFS. */
    public static String mnist() throws IOException {
        return uri() + "/data/mnist";
    }

    public static FileSystem fs() throws IOException {
        return new Path(uri()).getFileSystem(hdfs.configuration());
    }
}
