package io.sparklstm.report;

import io.sparklstm.common.EpochStats;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.Misclassified;
import io.sparklstm.evaluate.QualityGate;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A run's {@code report.html}: the headline (accuracy, the gate's decision against {@code CURRENT}), loss and
 * test-accuracy curves per epoch, samples/s per epoch, the confusion matrix as a heat map, per-class precision, recall
 * and F1, a grid of misclassified test images with their true and predicted labels (drawn from the IDX pixels), and a
 * provenance summary. One self-contained file: inline CSS, charts as PNG data, no scripts, no network; it reads on a
 * desktop and on a phone (the layout wraps).
 *
 * @param runId        the run
 * @param report       the test-set evaluation
 * @param epochs       per-epoch statistics (test accuracy where measured)
 * @param gate         the quality gate's decision
 * @param provenance   labelled facts of the run, in order (finished at, data, versions, ...)
 * @param misclassified some test images the model got wrong
 */
public record RunReport(
        String runId,
        ClassificationReport report,
        List<EpochStats> epochs,
        QualityGate.Decision gate,
        Map<String, String> provenance,
        List<Misclassified> misclassified) {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** The page. */
    public String html() {
        List<Integer> epochNumbers = epochs.stream().map(EpochStats::epoch).toList();
        StringBuilder page = new StringBuilder();
        Html.head(page, "sparklstm run " + runId);
        page.append("<h1>Run <code>").append(Html.escape(runId)).append("</code></h1>\n");
        page.append("<div class=\"cards\">\n");
        Html.card(page, "Test accuracy", pct(report.accuracy()), report.examples() + " test images", "accuracy");
        Html.card(page, "Macro F1", fmt("%.4f", report.macroF1()), "mean of the per-class F1", null);
        Html.card(
                page,
                "Gate",
                gate.promote() ? "promoted" : "not promoted",
                gate.currentRunId() == null
                        ? "no CURRENT model before this run"
                        : "CURRENT " + gate.currentRunId() + ": " + pct(gate.currentAccuracy()),
                gate.promote() ? "good" : "bad");
        Html.card(
                page,
                "Training",
                epochs.size() + (epochs.size() == 1 ? " epoch" : " epochs"),
                fmt(
                        "%.0f s, final loss %.4f",
                        totalSeconds(), epochs.get(epochs.size() - 1).loss()),
                null);
        page.append("</div>\n<p class=\"reason\">Gate: ")
                .append(Html.escape(gate.reason()))
                .append("</p>\n");

        page.append("<h2>Training</h2>\n<div class=\"charts\">\n");
        Html.image(
                page,
                Charts.perEpoch(
                        "Training loss",
                        "loss",
                        epochNumbers,
                        epochs.stream().map(EpochStats::loss).toList()),
                "training loss per epoch");
        List<EpochStats> measured =
                epochs.stream().filter(e -> e.testAccuracy() != null).toList();
        if (!measured.isEmpty()) {
            Html.image(
                    page,
                    Charts.perEpoch(
                            "Test accuracy",
                            "accuracy",
                            measured.stream().map(EpochStats::epoch).toList(),
                            measured.stream().map(EpochStats::testAccuracy).toList()),
                    "test accuracy per epoch");
        }
        Html.image(
                page,
                Charts.barsPerEpoch(
                        "Throughput",
                        "samples/s",
                        epochNumbers,
                        epochs.stream().map(EpochStats::samplesPerSecond).toList()),
                "training samples per second per epoch");
        page.append("</div>\n");
        epochTable(page);

        page.append("<h2>Test set</h2>\n<div class=\"charts\">\n");
        Html.image(page, Charts.confusion(report.confusionMatrix()), "confusion matrix");
        page.append("<div>\n");
        classTable(page);
        page.append("</div>\n</div>\n");

        misclassifiedGrid(page);

        page.append("<h2>Provenance</h2>\n<table class=\"kv\">\n");
        provenance.forEach((k, v) -> page.append("<tr><th>")
                .append(Html.escape(k))
                .append("</th><td><code>")
                .append(Html.escape(v))
                .append("</code></td></tr>\n"));
        page.append("</table>\n");
        Html.foot(page);
        return page.toString();
    }

    private double totalSeconds() {
        return epochs.stream().mapToDouble(EpochStats::seconds).sum();
    }

    private void epochTable(StringBuilder page) {
        page.append("<table><tr><th>epoch</th><th>loss</th><th>seconds</th><th>samples/s</th>"
                + "<th>test accuracy</th></tr>\n");
        for (EpochStats e : epochs) {
            page.append(fmt(
                    "<tr><td>%d</td><td>%.4f</td><td>%.1f</td><td>%.0f</td><td>%s</td></tr>%n",
                    e.epoch(),
                    e.loss(),
                    e.seconds(),
                    e.samplesPerSecond(),
                    e.testAccuracy() == null ? "" : pct(e.testAccuracy())));
        }
        page.append("</table>\n");
    }

    private void classTable(StringBuilder page) {
        page.append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>images</th></tr>\n");
        long[][] counts = report.confusionMatrix();
        for (int c = 0; c < report.classes(); c++) {
            long images = 0;
            for (long n : counts[c]) {
                images += n;
            }
            page.append(fmt(
                    "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>%n",
                    c, report.precision(c), report.recall(c), report.f1(c), images));
        }
        page.append("</table>\n");
    }

    private void misclassifiedGrid(StringBuilder page) {
        page.append("<h2>Misclassified test images</h2>\n");
        if (misclassified.isEmpty()) {
            page.append("<p>None among the images checked.</p>\n");
            return;
        }
        page.append("<p>The first ")
                .append(misclassified.size())
                .append(" the model got wrong, in test-set order: true label → predicted.</p>\n<div class=\"grid\">\n");
        for (Misclassified m : misclassified) {
            page.append("<figure><img src=\"")
                    .append(digit(m.pixels()))
                    .append("\" width=\"84\" height=\"84\" alt=\"test image ")
                    .append(m.index())
                    .append("\"><figcaption>")
                    .append(m.label())
                    .append(" → <b>")
                    .append(m.predicted())
                    .append("</b><br><small>#")
                    .append(m.index())
                    .append("</small></figcaption></figure>\n");
        }
        page.append("</div>\n");
    }

    /** A 28 x 28 IDX image as a PNG data URI, ink dark on white. */
    static String digit(byte[] pixels) {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int row = 0; row < 28; row++) {
            for (int column = 0; column < 28; column++) {
                int ink = pixels[row * 28 + column] & 0xFF;
                int gray = 255 - ink;
                image.setRGB(column, row, (gray << 16) | (gray << 8) | gray);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String pct(Double value) {
        return value == null || value.isNaN() ? "n/a" : fmt("%.2f %%", 100 * value);
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
