package io.sparklstm.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * What YARN's ResourceManager says of an application, read with {@link YarnClient}: for the YARN tests, and as the
 * application report submit/local-yarn.sh prints ({@link #main}: {@code YarnApps [APPLICATION_ID]}, the newest
 * application when none is named; the ResourceManager's address comes from yarn-site.xml on the classpath, i.e. the
 * HADOOP_CONF_DIR the job was submitted with).
 */
final class YarnApps implements AutoCloseable {

    /** One application as the ResourceManager reports it after it ended. */
    record Report(
            String id,
            String name,
            String state,
            String finalStatus,
            String diagnostics,
            List<String> attempts,
            List<String> amContainers) {

        /** Whether the ResourceManager has recorded the application's end (FINISHED, FAILED or KILLED). */
        boolean ended() {
            return ENDED.contains(state);
        }

        String describe() {
            return "application " + id + " (" + name + "): state " + state + ", final status " + finalStatus + ", "
                    + attempts.size() + " attempt(s) " + attempts + ", AM container(s) " + amContainers
                    + (diagnostics.isBlank()
                            ? ""
                            : ", diagnostics: " + diagnostics.strip().replaceAll("\\s+", " "));
        }
    }

    /** How long {@link #ended(String)} waits for the ResourceManager to record an application's end. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(60);

    private static final Set<String> ENDED = Set.of(
            YarnApplicationState.FINISHED.name(),
            YarnApplicationState.FAILED.name(),
            YarnApplicationState.KILLED.name());

    private final YarnClient client;

    YarnApps(Configuration conf) {
        client = YarnClient.createYarnClient();
        client.init(new YarnConfiguration(conf));
        client.start();
    }

    /** The report of {@code applicationId} ({@code application_<cluster>_<n>}). */
    Report report(String applicationId) throws Exception {
        ApplicationId id = ApplicationId.fromString(applicationId);
        ApplicationReport app = client.getApplicationReport(id);
        List<ApplicationAttemptReport> attempts = client.getApplicationAttempts(id).stream()
                .sorted(Comparator.comparing(a -> a.getApplicationAttemptId().getAttemptId()))
                .toList();
        return new Report(
                app.getApplicationId().toString(),
                app.getName(),
                app.getYarnApplicationState().toString(),
                app.getFinalApplicationStatus().toString(),
                app.getDiagnostics() == null ? "" : app.getDiagnostics(),
                attempts.stream()
                        .map(a -> a.getApplicationAttemptId().toString())
                        .toList(),
                attempts.stream().map(a -> String.valueOf(a.getAMContainerId())).toList());
    }

    /**
     * The report of {@code applicationId} once the ResourceManager has recorded its end, or its last report after
     * {@link #END_TIMEOUT}. spark-submit can exit before the ResourceManager records the end: in client mode the
     * driver's SparkContext tells the ApplicationMaster to stop, and the ApplicationMaster unregisters after the
     * driver's JVM has gone (CI once read "state RUNNING, final status UNDEFINED" a moment after a client-mode exit).
     */
    Report ended(String applicationId) throws Exception {
        Instant deadline = Instant.now().plus(END_TIMEOUT);
        Report report = report(applicationId);
        while (!report.ended() && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            report = report(applicationId);
        }
        return report;
    }

    /** The newest application's id, or null when there is none. */
    String newest() throws Exception {
        return client.getApplications().stream()
                .map(ApplicationReport::getApplicationId)
                .max(Comparator.naturalOrder())
                .map(ApplicationId::toString)
                .orElse(null);
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    public static void main(String[] args) throws Exception {
        try (YarnApps yarn = new YarnApps(new YarnConfiguration())) {
            String id = args.length > 0 ? args[0] : yarn.newest();
            if (id == null) {
                System.out.println("YARN: no application was submitted");
                return;
            }
            System.out.println(yarn.ended(id).describe());
        }
    }
}
