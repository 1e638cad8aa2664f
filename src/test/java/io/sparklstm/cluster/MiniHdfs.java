package io.sparklstm.cluster;

import io.sparklstm.Mnist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (NameNode + DataNodes, Hadoop's MiniDFSCluster) on 127.0.0.1 for the cluster path on one machine.
 *
 * <p>In-process: {@link #start(Path, int)} / {@link #close()}. As its own JVM ({@link #main}), used by
 * submit/local-cluster.sh and StandaloneClusterIT:
 *
 * <pre>
 *   java -cp target/test-classes:$(cat target/cluster-classpath/test.txt) io.sparklstm.cluster.MiniHdfs \
 *        --base-dir DIR [--datanodes 2] [--uri-file FILE] [--exit-on-stdin-close] [--parent-pid PID] \
 *        [--nodemanagers N [--nm-memory-mb MB] [--nm-vcores N]] [--conf-dir DIR]
 * </pre>
 *
 * With {@code --nodemanagers N} (submit/local-yarn.sh, the YARN tests) the same JVM also runs YARN ({@link MiniYarn})
 * with HDFS as its default file system; {@code --conf-dir} then receives the client configuration (core-site.xml,
 * hdfs-site.xml, yarn-site.xml) that HADOOP_CONF_DIR points at. It prints and writes (atomically, to --uri-file) its
 * {@code hdfs://127.0.0.1:PORT} URI once everything is up (the last step, so the file's presence means ready), and
 * shuts down (deleting its storage) on SIGTERM/SIGINT, on end of standard input when {@code
 * --exit-on-stdin-close} is given, or when process {@code --parent-pid} exits: it never outlives its owner.
 */
public final class MiniHdfs implements AutoCloseable {

    private static MiniHdfs shared;

    private final MiniDFSCluster cluster;
    private final Path baseDir;

    private MiniHdfs(MiniDFSCluster cluster, Path baseDir) {
        this.cluster = cluster;
        this.baseDir = baseDir;
    }

    /** Starts a NameNode on a free port of 127.0.0.1 and {@code dataNodes} DataNodes, storing under {@code baseDir}. */
    public static MiniHdfs start(Path baseDir, int dataNodes) throws IOException {
        return start(baseDir, dataNodes, java.util.Map.of());
    }

    /** As {@link #start(Path, int)}, with further NameNode and DataNode {@code settings}. */
    public static MiniHdfs start(Path baseDir, int dataNodes, java.util.Map<String, String> settings)
            throws IOException {
        Files.createDirectories(baseDir);
        Configuration conf = new Configuration();
        // Loopback only; small blocks so even MNIST is spread over both DataNodes.
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", false);
        conf.setInt("dfs.replication", Math.min(2, dataNodes));
        settings.forEach(conf::set);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile())
                .numDataNodes(dataNodes)
                .nameNodePort(0)
                .nameNodeHttpPort(0)
                .checkDataNodeAddrConfig(true)
                .build();
        cluster.waitActive();
        return new MiniHdfs(cluster, baseDir);
    }

    /**
     * One HDFS (a single DataNode) shared by the tests of a JVM, started on first use with a copy of MNIST under
     * {@link #sharedMnist()}, and shut down with the JVM.
     */
    public static synchronized MiniHdfs shared() throws IOException {
        if (shared == null) {
            shared = start(Files.createTempDirectory("sparklstm-hdfs"), 1);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
            shared.fileSystem()
                    .copyFromLocalFile(
                            false,
                            true,
                            new org.apache.hadoop.fs.Path(Mnist.dir().toUri()),
                            new org.apache.hadoop.fs.Path("/data/mnist"));
        }
        return shared;
    }

    /** MNIST on the shared HDFS. */
    public static String sharedMnist() throws IOException {
        return shared().uri() + "/data/mnist";
    }

    /** Copies the files of the local directory {@code local} into {@code target} on {@code fs}. */
    static void upload(FileSystem fs, Path local, org.apache.hadoop.fs.Path target) throws IOException {
        fs.mkdirs(target);
        try (java.util.stream.Stream<Path> files = Files.list(local)) {
            for (Path f : files.toList()) {
                fs.copyFromLocalFile(
                        new org.apache.hadoop.fs.Path(f.toUri()),
                        new org.apache.hadoop.fs.Path(target, f.getFileName().toString()));
            }
        }
    }

    /** A client of this HDFS. */
    public FileSystem fileSystem() throws IOException {
        return new org.apache.hadoop.fs.Path(uri()).getFileSystem(configuration());
    }

    /** The cluster itself, e.g. to stop a DataNode. */
    public MiniDFSCluster cluster() {
        return cluster;
    }

    /** {@code hdfs://127.0.0.1:PORT}, without a trailing slash. */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    public Configuration configuration() {
        return cluster.getConfiguration(0);
    }

    @Override
    public synchronized void close() {
        cluster.shutdown(true);
    }

    public static void main(String[] args) throws Exception {
        Path baseDir = null;
        Path uriFile = null;
        int dataNodes = 2;
        boolean exitOnStdinClose = false;
        Long parentPid = null;
        int nodeManagers = 0;
        int nmMemoryMb = 8192;
        int nmVcores = 4;
        Path confDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-dir" -> baseDir = Path.of(args[++i]);
                case "--uri-file" -> uriFile = Path.of(args[++i]);
                case "--datanodes" -> dataNodes = Integer.parseInt(args[++i]);
                case "--exit-on-stdin-close" -> exitOnStdinClose = true;
                case "--parent-pid" -> parentPid = Long.parseLong(args[++i]);
                case "--nodemanagers" -> nodeManagers = Integer.parseInt(args[++i]);
                case "--nm-memory-mb" -> nmMemoryMb = Integer.parseInt(args[++i]);
                case "--nm-vcores" -> nmVcores = Integer.parseInt(args[++i]);
                case "--conf-dir" -> confDir = Path.of(args[++i]);
                default -> {
                    System.err.println(
                            "MiniHdfs: unknown option " + args[i]
                                    + "\nusage: MiniHdfs --base-dir DIR [--datanodes N] [--uri-file FILE] [--exit-on-stdin-close]"
                                    + " [--parent-pid PID] [--nodemanagers N [--nm-memory-mb MB] [--nm-vcores N]] [--conf-dir DIR]");
                    System.exit(2);
                }
            }
        }
        if (baseDir == null) {
            System.err.println("MiniHdfs: --base-dir is required");
            System.exit(2);
        }

        MiniHdfs hdfs = start(baseDir, dataNodes);
        MiniYarn yarn = null;
        try {
            if (nodeManagers > 0) {
                yarn = MiniYarn.start(hdfs.configuration(), nodeManagers, nmMemoryMb, nmVcores);
            }
        } catch (Exception | LinkageError e) {
            e.printStackTrace();
            hdfs.close();
            System.exit(1); // HDFS's threads would keep a failed start alive
        }
        MiniYarn started = yarn;
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (started != null) {
                                // MiniYARNCluster's stop can hang for minutes in a NodeManager; give it 10 s (the
                                // callers kill whatever container outlives this JVM).
                                Thread stopYarn = new Thread(started::close, "miniyarn-stop");
                                stopYarn.setDaemon(true);
                                stopYarn.start();
                                try {
                                    stopYarn.join(10_000);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            hdfs.close();
                            stop.countDown();
                        },
                        "minihdfs-shutdown"));

        String uri = hdfs.uri();
        if (confDir != null) {
            if (yarn != null) {
                yarn.writeClientConfiguration(confDir, uri, Math.min(2, dataNodes));
            } else {
                MiniYarn.writeHdfsClientConfiguration(confDir, uri, Math.min(2, dataNodes));
            }
        }
        if (uriFile != null) {
            Path tmp = uriFile.resolveSibling(uriFile.getFileName() + ".tmp");
            Files.writeString(tmp, uri + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, uriFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("MiniHdfs: " + uri + " (" + dataNodes + " DataNodes, storage " + baseDir + ")"
                + (yarn == null
                        ? ""
                        : "; YARN ResourceManager " + yarn.resourceManager() + ", " + nodeManagers + " NodeManagers"));
        System.out.flush();

        if (exitOnStdinClose) {
            Thread watcher = new Thread(
                    () -> {
                        try (InputStream in = System.in) {
                            while (in.read() >= 0) {
                                // Anything written is ignored; only end of input matters.
                            }
                        } catch (IOException ignored) {
                            // Treated like end of input.
                        }
                        System.exit(0);
                    },
                    "minihdfs-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        if (parentPid != null) {
            Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
            if (parent.isEmpty()) {
                System.exit(0);
            }
            parent.get().onExit().thenRun(() -> System.exit(0));
        }
        stop.await();
    }
}
