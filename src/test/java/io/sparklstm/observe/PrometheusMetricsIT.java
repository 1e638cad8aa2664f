package io.sparklstm.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.JobProcess;
import io.sparklstm.JobRuns;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real local run (its own JVM) with Spark's PrometheusServlet switched on as conf/ shows: scraping the driver's
 * {@code /metrics/prometheus} while it trains shows the job's gauges and counters, and they change as it goes.
 */
class PrometheusMetricsIT {

    private static final Pattern METRIC = Pattern.compile("_sparklstm_([A-Za-z]+)_(?:Value|Count)\\S* (\\S+)");

    @TempDir
    Path tmp;

    @Test
    void theDriverServesTheRunsMetricsToPrometheus() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = JobProcess.driverCommand();
        int cp = command.indexOf("-cp");
        command.remove("-Dspark.ui.enabled=false");
        command.addAll(
                cp - 1,
                List.of(
                        "-Dspark.ui.enabled=true",
                        "-Dspark.ui.port=" + port,
                        "-Dspark.port.maxRetries=0",
                        "-Dspark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet",
                        "-Dspark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus"));
        command.addAll(JobRuns.args(
                tmp.resolve("store"),
                "scraped",
                "--train-limit",
                "3200",
                "--test-limit",
                "256",
                "--epochs",
                "3",
                "--lstm-units",
                "32",
                "--averaging-frequency",
                "5",
                "--evaluate-each-epoch"));

        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/prometheus/"))
                .timeout(Duration.ofSeconds(5))
                .build();
        Set<String> names = new TreeSet<>();
        Set<Double> rounds = new TreeSet<>();
        Set<Double> epochs = new TreeSet<>();
        Map<String, Double> last = new TreeMap<>();
        try (JobProcess job = JobProcess.start(new ProcessBuilder(command))) {
            while (job.isAlive()) {
                try {
                    String body = http.send(scrape, HttpResponse.BodyHandlers.ofString())
                            .body();
                    Matcher m = METRIC.matcher(body);
                    while (m.find()) {
                        names.add(m.group(1));
                        double value = Double.parseDouble(m.group(2));
                        last.put(m.group(1), value);
                        if (m.group(1).equals("roundsCompleted")) {
                            rounds.add(value);
                        } else if (m.group(1).equals("epoch")) {
                            epochs.add(value);
                        }
                    }
                } catch (IOException e) {
                    // the UI is not up yet, or already down
                }
                Thread.sleep(250);
            }
            assertEquals(0, job.waitFor(Duration.ofSeconds(60)), job.tail());
        }
        assertTrue(
                names.containsAll(List.of(
                        "epoch",
                        "epochs",
                        "round",
                        "rounds",
                        "trainingLoss",
                        "samplesPerSecond",
                        "testAccuracy",
                        "examplesSeen",
                        "roundsCompleted",
                        "executorsLost")),
                "metrics seen: " + names);
        assertTrue(rounds.size() >= 3, "roundsCompleted changed between scrapes: " + rounds);
        assertTrue(epochs.size() >= 2, "epoch changed between scrapes: " + epochs);
        assertEquals(3.0, last.get("epochs"));
        assertTrue(last.get("testAccuracy") > 0.1, "test accuracy after an evaluation: " + last);
        assertTrue(last.get("examplesSeen") >= 3 * 3200 * 0.9, "examples seen: " + last);
    }
}
