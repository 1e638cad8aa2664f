package io.sparklstm.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The store's published runs as a person reads them ({@code sparklstm runs}, the store's {@code index.html}): one
 * {@link Entry} per complete run, from its {@code metrics.json} and {@code provenance.json}, newest first.
 */
public final class RunHistory {

    /**
     * One published run.
     *
     * @param runId       the run
     * @param finishedAt  when it finished (ISO-8601), or null when not recorded
     * @param accuracy    its test accuracy
     * @param gatePassed  whether the quality gate decided to promote it
     * @param current     whether it is {@code CURRENT} now
     * @param gateReason  the gate's reason
     * @param seconds     wall time from start to finish of the attempt that published it, NaN when not recorded
     * @param epochs      epochs trained
     * @param hasReport   whether its directory holds {@code report.html}
     */
    public record Entry(
            String runId,
            String finishedAt,
            double accuracy,
            boolean gatePassed,
            boolean current,
            String gateReason,
            double seconds,
            int epochs,
            boolean hasReport) {}

    private RunHistory() {}

    /** The complete runs of {@code store}, newest (by finish time, then id) first. */
    public static List<Entry> of(RunStore store) throws IOException {
        FileSystem fs = store.fileSystem();
        Path runs = new Path(store.root(), "runs");
        List<Entry> entries = new ArrayList<>();
        if (!fs.exists(runs)) {
            return entries;
        }
        String current = store.current().orElse(null);
        for (FileStatus run : fs.listStatus(runs)) {
            Path dir = run.getPath();
            if (!run.isDirectory() || !fs.exists(new Path(dir, RunStore.SUCCESS))) {
                continue;
            }
            String id = dir.getName();
            JsonNode metrics = Json.read(fs, new Path(dir, RunStore.METRICS));
            JsonNode provenance = Json.read(fs, new Path(dir, RunStore.PROVENANCE));
            String finished = provenance.path("finishedAt").asText(null);
            entries.add(new Entry(
                    id,
                    finished,
                    metrics.path("accuracy").asDouble(Double.NaN),
                    metrics.at("/gate/promote").asBoolean(false),
                    id.equals(current),
                    metrics.at("/gate/reason").asText(""),
                    seconds(provenance.path("startedAt").asText(null), finished),
                    metrics.path("epochs").size(),
                    fs.exists(new Path(dir, RunStore.REPORT))));
        }
        entries.sort(Comparator.comparing((Entry e) -> e.finishedAt() == null ? "" : e.finishedAt())
                .thenComparing(Entry::runId)
                .reversed());
        return entries;
    }

    private static double seconds(String started, String finished) {
        if (started == null || finished == null) {
            return Double.NaN;
        }
        try {
            return Duration.between(Instant.parse(started), Instant.parse(finished))
                            .toMillis()
                    / 1e3;
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
    }
}
