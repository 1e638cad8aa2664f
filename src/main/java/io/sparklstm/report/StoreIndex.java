package io.sparklstm.report;

import io.sparklstm.store.RunHistory;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The store's {@code index.html}: test accuracy of every published run over time, promoted runs marked, and a table of
 * the runs (newest first) linking to each run's {@code report.html}. Rewritten after every publication.
 */
public final class StoreIndex {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private StoreIndex() {}

    /** The page for {@code runs} (newest first) of the store at {@code storeName}. */
    public static String html(String storeName, List<RunHistory.Entry> runs) {
        StringBuilder page = new StringBuilder();
        Html.head(page, "sparklstm store " + storeName);
        page.append("<h1>Model store <code>").append(Html.escape(storeName)).append("</code></h1>\n");
        if (runs.isEmpty()) {
            page.append("<p>No published runs yet.</p>\n");
            Html.foot(page);
            return page.toString();
        }
        runs.stream().filter(RunHistory.Entry::current).findFirst().ifPresent(current -> page.append(
                        "<p>CURRENT: <a href=\"runs/")
                .append(Html.escape(current.runId()))
                .append("/report.html\">")
                .append(Html.escape(current.runId()))
                .append("</a>, test accuracy ")
                .append(RunReport.pct(current.accuracy()))
                .append("</p>\n"));
        Html.image(page, chart(runs), "test accuracy per run over time, promoted runs marked");
        page.append("<table><tr><th>run</th><th>finished</th><th>accuracy</th><th>promoted</th><th>gate</th>"
                + "<th>duration</th><th>epochs</th></tr>\n");
        for (RunHistory.Entry run : runs) {
            String id = Html.escape(run.runId());
            page.append("<tr><td style=\"text-align:left\">")
                    .append(run.hasReport() ? "<a href=\"runs/" + id + "/report.html\">" + id + "</a>" : id)
                    .append(run.current() ? " (CURRENT)" : "")
                    .append("</td><td>")
                    .append(Html.escape(shortTime(run.finishedAt())))
                    .append("</td><td>")
                    .append(RunReport.pct(run.accuracy()))
                    .append("</td><td>")
                    .append(run.gatePassed() ? "yes" : "no")
                    .append("</td><td style=\"text-align:left\">")
                    .append(Html.escape(run.gateReason()))
                    .append("</td><td>")
                    .append(Double.isNaN(run.seconds()) ? "" : RunReport.fmt("%.0f s", run.seconds()))
                    .append("</td><td>")
                    .append(run.epochs())
                    .append("</td></tr>\n");
        }
        page.append("</table>\n");
        Html.foot(page);
        return page.toString();
    }

    /** {@code 2026-12-03T05:50:37.717Z} as {@code 2026-12-03 05:50:37Z}. */
    public static String shortTime(String instant) {
        return instant == null ? "" : instant.replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }

    private static String chart(List<RunHistory.Entry> runs) {
        XYChart chart = new XYChartBuilder()
                .width(760)
                .height(320)
                .title("Test accuracy per run")
                .xAxisTitle("finished")
                .yAxisTitle("accuracy")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDatePattern("yyyy-MM-dd HH:mm");
        chart.getStyler().setXAxisLabelRotation(20);
        List<Date> all = new ArrayList<>();
        List<Double> allAccuracy = new ArrayList<>();
        List<Date> promoted = new ArrayList<>();
        List<Double> promotedAccuracy = new ArrayList<>();
        for (int i = runs.size() - 1; i >= 0; i--) { // oldest first
            RunHistory.Entry run = runs.get(i);
            if (run.finishedAt() == null) {
                continue;
            }
            Date at = Date.from(java.time.Instant.parse(run.finishedAt()));
            all.add(at);
            allAccuracy.add(run.accuracy());
            if (run.gatePassed()) {
                promoted.add(at);
                promotedAccuracy.add(run.accuracy());
            }
        }
        if (all.isEmpty()) {
            all.add(new Date());
            allAccuracy.add(Double.NaN);
        }
        XYSeries series = chart.addSeries("all runs", all, allAccuracy);
        series.setMarker(SeriesMarkers.CIRCLE);
        if (!promoted.isEmpty()) {
            XYSeries marked = chart.addSeries("promoted", promoted, promotedAccuracy);
            marked.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            marked.setMarker(SeriesMarkers.DIAMOND);
            marked.setMarkerColor(new Color(0x1A7F37));
        }
        return Charts.png(chart);
    }
}
