package io.sparklstm.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real YARN on this machine: Hadoop's MiniYARNCluster, a ResourceManager (capacity scheduler) and {@code
 * nodeManagers} NodeManagers whose containers are ordinary processes (DefaultContainerExecutor: {@code bash
 * launch_container.sh}, then the JVM Spark asks for), next to a {@link MiniHdfs} that serves as its default file
 * system (the staging directory spark-submit uploads the application jar to). Started by {@link MiniHdfs#main} with
 * {@code --nodemanagers N}, in the JVM that runs HDFS; its work directory (container logs included, kept after the
 * application ends) is {@code target/yarn} under that JVM's working directory.
 *
 * <p>The settings are those a test cluster on one small machine needs and nothing else: the ResourceManager may give
 * AMs the whole queue (the capacity scheduler's default of 10 % would leave a cluster-mode driver pending); memory is
 * the only resource counted; the NodeManagers do not kill containers over virtual or physical memory (ND4J's
 * off-heap arena is capped by the JVM options of spark-defaults.conf instead) and do not mark a nearly full disk
 * unhealthy.
 */
final class MiniYarn implements AutoCloseable {

    private final MiniYARNCluster cluster;

    private MiniYarn(MiniYARNCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts YARN with {@code nodeManagers} NodeManagers of {@code memoryMb} MB and {@code vcores} cores each. */
    static MiniYarn start(Configuration hdfs, int nodeManagers, int memoryMb, int vcores) throws Exception {
        YarnConfiguration conf = new YarnConfiguration(hdfs);
        conf.set(YarnConfiguration.RM_SCHEDULER, YarnConfiguration.DEFAULT_RM_SCHEDULER);
        // One queue, "default", with the whole cluster (what capacity-scheduler.xml holds on a real cluster).
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setFloat("yarn.scheduler.capacity.root.default.capacity", 100f);
        conf.setFloat("yarn.scheduler.capacity.root.default.maximum-capacity", 100f);
        conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 1.0f);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, memoryMb);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, vcores);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, memoryMb);
        conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, memoryMb); // what MiniYARNCluster gives each NM
        conf.setInt(YarnConfiguration.NM_VCORES, vcores);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
        // Container logs stay on the NodeManagers' disks (no aggregation): the tests read them there.
        conf.setBoolean(YarnConfiguration.LOG_AGGREGATION_ENABLED, false);
        conf.setLong(YarnConfiguration.NM_LOG_RETAIN_SECONDS, 3600);
        conf.setBoolean(YarnConfiguration.TIMELINE_SERVICE_ENABLED, false);
        MiniYARNCluster cluster = new MiniYARNCluster("yarn", nodeManagers, 1, 1);
        cluster.init(conf);
        cluster.start();
        if (!cluster.waitForNodeManagersToConnect(60_000)) {
            cluster.stop();
            throw new IOException("YARN: " + nodeManagers + " NodeManagers did not register within 60 s");
        }
        return new MiniYarn(cluster);
    }

    /** The ResourceManager's address, {@code host:port}. */
    String resourceManager() {
        return cluster.getConfig().get(YarnConfiguration.RM_ADDRESS);
    }

    /**
     * Writes the client configuration a spark-submit needs (what HADOOP_CONF_DIR holds on a cluster's gateway):
     * core-site.xml with HDFS as the default file system, hdfs-site.xml, and yarn-site.xml with this
     * ResourceManager's actual addresses.
     */
    void writeClientConfiguration(Path dir, String hdfsUri, int replication) throws IOException {
        writeHdfsClientConfiguration(dir, hdfsUri, replication);
        Configuration yarn = new Configuration(false);
        Configuration live = cluster.getConfig();
        for (String key : new String[] {
            YarnConfiguration.RM_ADDRESS,
            YarnConfiguration.RM_SCHEDULER_ADDRESS,
            YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
            YarnConfiguration.RM_ADMIN_ADDRESS,
            YarnConfiguration.RM_WEBAPP_ADDRESS,
            YarnConfiguration.RM_HOSTNAME
        }) {
            String value = live.get(key);
            if (value != null) {
                yarn.set(key, value);
            }
        }
        write(yarn, dir.resolve("yarn-site.xml"));
    }

    /** core-site.xml (HDFS as the default file system) and hdfs-site.xml into {@code dir}. */
    static void writeHdfsClientConfiguration(Path dir, String hdfsUri, int replication) throws IOException {
        Files.createDirectories(dir);
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", hdfsUri);
        write(core, dir.resolve("core-site.xml"));
        Configuration hdfs = new Configuration(false);
        hdfs.setInt("dfs.replication", replication);
        write(hdfs, dir.resolve("hdfs-site.xml"));
    }

    private static void write(Configuration conf, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            conf.writeXml(out);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        cluster.stop();
    }
}
