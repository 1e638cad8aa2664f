package io.sparklstm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (NameNode and DataNode from hadoop-minicluster) shared by the tests of one JVM, with a copy of MNIST
 * uploaded once.
 */
public final class MiniHdfs {

    private static MiniDFSCluster cluster;

    private MiniHdfs() {
    }

    public static synchronized MiniDFSCluster cluster() throws IOException {
        if (cluster == null) {
            Path base = Files.createTempDirectory("sparklstm-hdfs");
            Configuration conf = new Configuration();
            conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
            cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
            cluster.waitActive();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::shutdown));
            FileSystem fs = cluster.getFileSystem();
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(Mnist.dir().toUri()),
                    new org.apache.hadoop.fs.Path("/data/mnist"));
        }
        return cluster;
    }

    /** {@code hdfs://host:port} of the shared cluster. */
    public static String uri() throws IOException {
        return cluster().getURI().toString();
    }

    /** MNIST on HDFS. */
    public static String mnist() throws IOException {
        return uri() + "/data/mnist";
    }

    public static FileSystem fs() throws IOException {
        return cluster().getFileSystem();
    }
}
