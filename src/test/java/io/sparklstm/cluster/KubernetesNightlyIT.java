package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sparklstm.JobRuns;
import io.sparklstm.Mnist;
import io.sparklstm.store.RunOutcomes;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/nightly.sh on Kubernetes decides its exit code from the run's outcome as the driver recorded it in the store,
 * not from spark-submit's: against the Kubernetes API stand-in (fabric8's mock server), nightly.sh runs submit/k8s.sh,
 * whose real spark-submit (target/spark-home) creates the driver pod and follows it. This test plays the kubelet: it
 * runs the driver pod's job arguments through the job's own command line (Spark local mode, the store on local disk
 * standing in for HDFS), then marks the pod terminated with exit code 0, as a driver pod whose exit code is lost
 * would look; spark-submit then exits 0 whatever happened. The night's exit code must still be the run's.
 */
class KubernetesNightlyIT {

    private static final String NAMESPACE = "ml-nightly";
    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    static KubernetesStandIn standIn;
    static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startApiStandIn() {
        standIn = new KubernetesStandIn(new PendingPods());
        client = standIn.client();
    }

    @AfterAll
    static void stopApiStandIn() {
        if (standIn != null) {
            standIn.close();
        }
    }

    @Test
    void aGateRefusalIsReportedAsExit3ThoughTheDriverPodEndedWith0() throws Exception {
        Path store = tmp.resolve("store");
        Night night = night(store, "--min-accuracy", "0.999");
        List<String> jobArgs = driverJobArgs(night);
        int driverExit = JobRuns.run(jobArgs); // the driver's work, as its pod would do it
        assertEquals(3, driverExit, "the job itself: trained, refused by the gate");
        terminateDriver(0, "Succeeded");
        int exit = night.await();
        assertEquals(3, exit, "nightly.sh's exit code is the run's:\n" + night.log());
        assertTrue(night.log().contains("outcome recorded in"), night.log());
        Optional<RunOutcomes.Outcome> outcome =
                RunOutcomes.at(store.toUri().toString(), new Configuration()).read(night.runId());
        assertTrue(outcome.isPresent() && outcome.get().exitCode() == 3, "recorded: " + outcome);
    }

    @Test
    void aBadInputRecordsNothingAndIsReportedWithTheDriverContainersExitCode() throws Exception {
        Path store = tmp.resolve("store");
        Night night = night(store, "--data", tmp.resolve("no-such-mnist").toString());
        int driverExit = JobRuns.run(driverJobArgs(night));
        assertEquals(2, driverExit, "the job itself: bad input");
        terminateDriver(driverExit, "Failed");
        int exit = night.await();
        assertEquals(2, exit, "from the driver container's exit code:\n" + night.log());
        assertTrue(night.log().contains("the driver container exited 2"), night.log());
        assertTrue(
                RunOutcomes.at(store.toUri().toString(), new Configuration())
                        .read(night.runId())
                        .isEmpty(),
                "a refused run records nothing");
    }

    @Test
    void aDriverThatRecordedNothingIsAFailureThoughSparkSubmitExits0() throws Exception {
        Night night = night(tmp.resolve("store"));
        driverJobArgs(night);
        // The driver pod ends without the job having run (evicted, killed before it could record anything), and its
        // exit code does not reach spark-submit either.
        terminateDriver(null, "Failed");
        int exit = night.await();
        assertEquals(1, exit, "counted as a failure to rerun:\n" + night.log());
        assertTrue(night.log().contains("recorded no outcome"), night.log());
    }

    /**
     * The stand-in plus what the API server does on creating a pod: its status says Pending (spark-submit's pod
     * watcher reads the status of the pod it created).
     */
    static final class PendingPods extends KubernetesSubmissionIT.ApplyingCrudDispatcher {
        @Override
        public okhttp3.mockwebserver.MockResponse handleCreate(okhttp3.mockwebserver.RecordedRequest request) {
            String path = request.getPath();
            if (path == null || !path.replaceAll("\\?.*", "").endsWith("/pods")) {
                return super.handleCreate(request);
            }
            try {
                com.fasterxml.jackson.databind.node.ObjectNode pod = (com.fasterxml.jackson.databind.node.ObjectNode)
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(request.getBody().clone().readUtf8());
                pod.putObject("status").put("phase", "Pending");
                okio.Buffer body = new okio.Buffer().writeUtf8(pod.toString());
                try (java.net.Socket local = new java.net.Socket()) {
                    local.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    return super.handleCreate(new okhttp3.mockwebserver.RecordedRequest(
                            request.getRequestLine(),
                            request.getHeaders(),
                            List.of(),
                            body.size(),
                            body,
                            request.getSequenceNumber(),
                            local));
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** A running submit/nightly.sh, its run id and its output. */
    private record Night(Process process, Path logFile, String runId) {

        int await() throws Exception {
            assertTrue(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "nightly.sh ended:\n" + log());
            return process.exitValue();
        }

        String log() throws java.io.IOException {
            return Files.readString(logFile);
        }
    }

    /** Starts nightly.sh with SUBMIT=k8s.sh against the stand-in; {@code options} follow the job's defaults here. */
    private Night night(Path store, String... options) throws Exception {
        client.pods().inNamespace(NAMESPACE).delete();
        String runId = "night-" + System.nanoTime();
        Map<String, String> env = new HashMap<>();
        env.put("SUBMIT", SubmitScripts.ROOT.resolve("submit/k8s.sh").toString());
        env.put("K8S_MASTER", standIn.master());
        env.put("SPARK_HOME", YarnCluster.sparkHome().toString());
        env.put("NAMESPACE", NAMESPACE);
        env.put("IMAGE", "registry.example.com/ml/sparklstm:nightly-test");
        env.put("RUN_ID", runId);
        env.put("APP_JAR", "local://" + YarnCluster.appJar());
        env.put("SPARK_SUBMIT_OPTS", "-Xmx512m");
        List<String> cmd = new ArrayList<>(
                List.of("bash", SubmitScripts.ROOT.resolve("submit/nightly.sh").toString()));
        cmd.addAll(List.of(
                "--data",
                Mnist.dir().toString(),
                "--output",
                store.toUri().toString(),
                "--train-limit",
                "640",
                "--test-limit",
                "256",
                "--epochs",
                "1",
                "--lstm-units",
                "16"));
        cmd.addAll(List.of(options));
        Path log = tmp.resolve("nightly-" + runId + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("HADOOP_"));
        pb.environment().putAll(env);
        return new Night(pb.start(), log, runId);
    }

    /** Waits for spark-submit's driver pod and returns the job arguments its container runs. */
    private List<String> driverJobArgs(Night night) throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (true) {
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).list().getItems();
            if (!pods.isEmpty()) {
                List<String> args = pods.get(0).getSpec().getContainers().get(0).getArgs();
                int jar = args.indexOf("local://" + YarnCluster.appJar());
                assertTrue(jar > 0, "application jar in " + args);
                return args.subList(jar + 1, args.size());
            }
            assertTrue(night.process().isAlive(), "nightly.sh ended before a driver pod existed:\n" + night.log());
            assertTrue(Instant.now().isBefore(deadline), "no driver pod:\n" + night.log());
            Thread.sleep(200);
        }
    }

    /** Marks the driver pod ended, its container terminated with {@code exitCode} (null: no status at all). */
    private void terminateDriver(Integer exitCode, String phase) {
        Pod pod = client.pods().inNamespace(NAMESPACE).list().getItems().get(0);
        PodStatusBuilder status = new PodStatusBuilder().withPhase(phase);
        if (exitCode != null) {
            status.withContainerStatuses(new ContainerStatusBuilder()
                    .withName(pod.getSpec().getContainers().get(0).getName())
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason("Completed")
                    .endTerminated()
                    .endState()
                    .build());
        }
        pod.setStatus(status.build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }
}
