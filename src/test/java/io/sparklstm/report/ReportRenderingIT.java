package io.sparklstm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklstm.JobRuns;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real run's report.html and the store's index.html rendered by headless Chromium (Debian's package, installed here
 * when missing) at a desktop and a phone width: the screenshots are not blank, and the rendered page shows the run's
 * accuracy.
 */
class ReportRenderingIT {

    @TempDir
    static Path tmp;

    private static Path store;
    private static String chromium;

    @BeforeAll
    static void trainAndInstallChromium() throws Exception {
        chromium = Chromium.ensureInstalled();
        store = tmp.resolve("store");
        assertEquals(0, JobRuns.run(JobRuns.smallRunArgs(store, "rendered", "--epochs", "3", "--evaluate-each-epoch")));
    }

    @Test
    void theRunReportRendersAtDesktopAndPhoneWidths() throws Exception {
        Path report = store.resolve("runs").resolve("rendered").resolve("report.html");
        double accuracy = new ObjectMapper()
                .readTree(store.resolve("runs/rendered/metrics.json").toFile())
                .path("accuracy")
                .asDouble();
        String dom = run(List.of("--dump-dom", report.toUri().toString()));
        assertTrue(dom.contains(String.format(Locale.ROOT, "%.2f %%", 100 * accuracy)), "accuracy on the page");
        assertTrue(dom.contains("Test accuracy"));
        for (int[] size : new int[][] {{1280, 2400}, {390, 3600}}) {
            Path png = tmp.resolve("report-" + size[0] + ".png");
            screenshot(report, png, size[0], size[1]);
            assertNotBlank(png, size[0]);
        }
    }

    @Test
    void theStoreIndexRenders() throws Exception {
        Path index = store.resolve("index.html");
        String dom = run(List.of("--dump-dom", index.toUri().toString()));
        assertTrue(dom.contains("runs/rendered/report.html"), dom);
        Path png = tmp.resolve("index.png");
        screenshot(index, png, 1280, 900);
        assertNotBlank(png, 1280);
    }

    private static void screenshot(Path page, Path png, int width, int height) throws Exception {
        run(List.of(
                "--hide-scrollbars",
                "--window-size=" + width + "," + height,
                "--screenshot=" + png,
                page.toUri().toString()));
        assertTrue(Files.size(png) > 10_000, png + " was written");
    }

    /** Not blank: many colours, and a good share of the pixels not white. */
    private static void assertNotBlank(Path png, int width) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(width, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        long inked = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb != 0xFFFFFF) {
                    inked++;
                }
            }
        }
        double share = inked / (image.getWidth() / 2.0 * image.getHeight() / 2.0);
        assertTrue(colours.size() > 50, png + ": " + colours.size() + " colours");
        assertTrue(share > 0.03, png + ": " + share + " of the pixels not white");
    }

    private static String run(List<String> args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, process.exitValue(), "chromium " + args);
        return out;
    }
}
