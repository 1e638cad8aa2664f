package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.JobRuns;
import io.sparklstm.Mnist;
import io.sparklstm.TestSpark;
import io.sparklstm.common.FaultInjection;
import io.sparklstm.train.DistributedTrainer;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DataNodes lost under a running job: a real HDFS of three DataNodes, the job reading MNIST from it and writing its
 * store to it with replication 3, HDFS's default. Replication 2 is not enough for two losses in one run: the
 * NameNode re-replicates a dead node's blocks only once it declares the node dead (10.5 minutes by default), so a
 * block whose two replicas sat on the two nodes lost is gone. This test first ran with replication 2 and lost the
 * store's lock file that way (BlockMissingException on _LOCK, exit 1). One DataNode is stopped in the middle of epoch 1, while the workers read the
 * staged minibatches and before the first checkpoint is written; a second one while model.zip is being published,
 * its first 64 KiB written and the stream open, so that the write pipeline loses a node under way. The run must
 * publish, model.zip must read back from the last DataNode with the SHA-256 that provenance.json records, and every
 * file of the run must be readable.
 *
 * <p>The HDFS client settings are those docs/operations.md names: replication 3, and a writer whose pipeline loses a
 * node and finds no replacement goes on with the ones left (replace-datanode-on-failure best effort) instead of
 * failing the write. The NameNode notices a dead DataNode within seconds here (heartbeat 1 s, recheck 2 s).
 */
class DataNodeLossIT {

    private static final String RUN = "datanode-loss";

    @TempDir
    Path tmp;

    @Test
    void theRunPublishesIntactAfterOneDataNodeDiesInTrainingAndAnotherDuringTheModelWrite() throws Exception {
        Instant t0 = Instant.now();
        try (MiniHdfs hdfs = MiniHdfs.start(
                tmp.resolve("hdfs"),
                3,
                Map.of(
                        "dfs.replication",
                        "3",
                        "dfs.heartbeat.interval",
                        "1",
                        "dfs.namenode.heartbeat.recheck-interval",
                        "2000"))) {
            MiniDFSCluster cluster = hdfs.cluster();
            // Its own client: the job gets (and caches) one made with the Spark context's Hadoop settings below.
            FileSystem fs = FileSystem.newInstance(java.net.URI.create(hdfs.uri()), hdfs.configuration());
            MiniHdfs.upload(fs, Mnist.dir(), new org.apache.hadoop.fs.Path("/data/mnist"));
            String store = hdfs.uri() + "/sparklstm";

            JavaSparkContext sc = TestSpark.context();
            Configuration client = sc.hadoopConfiguration();
            client.set("dfs.replication", "3");
            client.set("dfs.client.block.write.replace-datanode-on-failure.enable", "true");
            client.set("dfs.client.block.write.replace-datanode-on-failure.policy", "DEFAULT");
            client.set("dfs.client.block.write.replace-datanode-on-failure.best-effort", "true");

            // DataNode 0 stops after the 6th training task (of 20 per epoch): epoch 1 under way.
            java.util.Set<Integer> trainingStages = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicInteger trainingTasks = new AtomicInteger();
            java.util.concurrent.CountDownLatch firstKilled = new java.util.concurrent.CountDownLatch(1);
            AtomicBoolean checkpointBeforeFirstKill = new AtomicBoolean();
            SparkListener killer = new SparkListener() {
                @Override
                public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart jobStart) {
                    if (DistributedTrainer.JOB_GROUP.equals(
                            jobStart.properties().getProperty("spark.jobGroup.id"))) {
                        scala.collection.JavaConverters.seqAsJavaList(jobStart.stageIds())
                                .forEach(id -> trainingStages.add((Integer) id));
                    }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
                    if (trainingStages.contains(taskEnd.stageId()) && trainingTasks.incrementAndGet() == 6) {
                        new Thread(() -> {
                                    try {
                                        checkpointBeforeFirstKill.set(fs.exists(new org.apache.hadoop.fs.Path(
                                                store + "/_work/" + RUN + "/checkpoints/epoch-0001")));
                                    } catch (java.io.IOException e) {
                                        checkpointBeforeFirstKill.set(true);
                                    }
                                    cluster.stopDataNode(0);
                                    firstKilled.countDown();
                                    System.out.println("datanode loss IT: stopped DataNode 0 after training task 6"
                                            + " (stage " + taskEnd.stageId() + ")");
                                })
                                .start();
                    }
                }
            };
            // The second one stops inside the model write: a DataNode of the pipeline that receives model.zip's block.
            org.apache.hadoop.fs.Path staged =
                    new org.apache.hadoop.fs.Path(store + "/_work/" + RUN + "/publish/model.zip");
            AtomicBoolean secondKilled = new AtomicBoolean();
            List<String> pipeline = new java.util.ArrayList<>();
            Runnable killInPipeline = () -> {
                try {
                    // The first kill runs on its own thread: it is done by now unless the run outpaced it.
                    assertTrue(firstKilled.await(60, java.util.concurrent.TimeUnit.SECONDS), "first kill done");
                    Instant deadline = Instant.now().plusSeconds(10);
                    while (pipeline.isEmpty() && Instant.now().isBefore(deadline)) {
                        for (BlockLocation block : fs.getFileBlockLocations(staged, 0, Long.MAX_VALUE)) {
                            pipeline.addAll(List.of(block.getNames()));
                        }
                        Thread.sleep(pipeline.isEmpty() ? 20 : 0);
                    }
                    assertFalse(pipeline.isEmpty(), "model.zip's block has a pipeline");
                    // The NameNode may still list the node stopped first (it has not declared it dead yet): stop the
                    // first node of the pipeline that is still running.
                    String stopped = null;
                    for (String node : pipeline) {
                        if (stopped == null && cluster.stopDataNode(node) != null) {
                            stopped = node;
                        }
                    }
                    assertTrue(stopped != null, "a running DataNode among " + pipeline);
                    secondKilled.set(true);
                    System.out.println("datanode loss IT: stopped DataNode " + stopped + " of model.zip's write"
                            + " pipeline " + pipeline);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            sc.sc().addSparkListener(killer);
            int exit;
            try (AutoCloseable hook = FaultInjection.onReaching(FaultInjection.MODEL_WRITE_UNDER_WAY, killInPipeline)) {
                exit = JobRuns.run(List.of(
                        "--data",
                        hdfs.uri() + "/data/mnist",
                        "--output",
                        store,
                        "--run-id",
                        RUN,
                        "--train-limit",
                        "2560",
                        "--test-limit",
                        "500",
                        "--epochs",
                        "2",
                        "--lstm-units",
                        "32",
                        "--averaging-frequency",
                        "2",
                        "--min-accuracy",
                        "0",
                        // re-evaluated below with the same engine (see Mnist.testAccuracy)
                        "--gemm",
                        "onednn"));
            } finally {
                sc.sc().removeSparkListener(killer);
            }

            assertEquals(0, firstKilled.getCount(), "a DataNode was stopped during training");
            assertFalse(checkpointBeforeFirstKill.get(), "... in epoch 1, before its checkpoint");
            assertTrue(secondKilled.get(), "a second DataNode, of model.zip's pipeline, was stopped during the write");
            assertEquals(1, cluster.getDataNodes().size(), "one DataNode left");
            assertEquals(0, exit, "the run published and was promoted");

            // Everything the run wrote reads back, from the last DataNode.
            org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(store + "/runs/" + RUN);
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run, "_SUCCESS")), "_SUCCESS");
            long bytes = 0;
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(run, true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                for (BlockLocation block : f.getBlockLocations()) {
                    assertTrue(block.getHosts().length >= 1, f.getPath() + ": a block without a live replica");
                }
                long read;
                try (InputStream in = fs.open(f.getPath())) {
                    read = in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                assertEquals(f.getLen(), read, "bytes of " + f.getPath());
                bytes += read;
            }
            JsonNode provenance = json(fs, new org.apache.hadoop.fs.Path(run, "provenance.json"));
            org.apache.hadoop.fs.Path model = new org.apache.hadoop.fs.Path(run, "model.zip");
            FileStatus modelStatus = fs.getFileStatus(model);
            assertTrue(modelStatus.getLen() > 64 * 1024, "the model write outlasted the kill: " + modelStatus.getLen());
            assertEquals(provenance.path("modelSha256").asText(), sha256(fs, model), "model.zip's SHA-256");
            MultiLayerNetwork network;
            try (InputStream in = fs.open(model)) {
                network = ModelSerializer.restoreMultiLayerNetwork(in, true);
            }
            JsonNode metrics = json(fs, new org.apache.hadoop.fs.Path(run, "metrics.json"));
            double accuracy = Mnist.testAccuracy(network, 500);
            assertEquals(metrics.path("accuracy").asDouble(), accuracy, 1e-9, "model.zip re-evaluated");
            System.out.printf(
                    "datanode loss IT: exit %d, %d bytes read back, model.zip %d bytes, SHA-256 as recorded,"
                            + " accuracy %.4f re-evaluated %.4f, %d s%n",
                    exit,
                    bytes,
                    modelStatus.getLen(),
                    metrics.path("accuracy").asDouble(),
                    accuracy,
                    Duration.between(t0, Instant.now()).toSeconds());
        }
    }

    private static JsonNode json(FileSystem fs, org.apache.hadoop.fs.Path file) throws Exception {
        try (InputStream in = fs.open(file)) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static String sha256(FileSystem fs, org.apache.hadoop.fs.Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = fs.open(file)) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
