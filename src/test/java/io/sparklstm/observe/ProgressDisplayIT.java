package io.sparklstm.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.JobProcess;
import io.sparklstm.JobRuns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress as an operator sees it, from real job processes: in a log (output to a pipe) timed lines with epoch,
 * round, examples, speed, loss and ETA and no terminal control codes; in a terminal (a pseudo-terminal made by
 * util-linux's {@code script}) one updating progress bar and no progress lines.
 */
class ProgressDisplayIT {

    private static final Pattern LINE = Pattern.compile(
            ".*Progress: epoch \\d/2, round \\d+/\\d+, \\d+/3200 examples, \\d+ samples/s, loss \\d+\\.\\d{4},"
                    + " ETA epoch \\d+:\\d\\d, run \\d+:\\d\\d$");

    @TempDir
    Path tmp;

    private List<String> job(String runId) {
        List<String> args = new ArrayList<>(JobRuns.args(
                tmp.resolve("store-" + runId),
                runId,
                "--train-limit",
                "3200",
                "--test-limit",
                "256",
                "--epochs",
                "2",
                "--lstm-units",
                "32",
                "--averaging-frequency",
                "2",
                "--progress-interval",
                "1"));
        return args;
    }

    @Test
    void aLogGetsTimedProgressLinesWithoutControlCodes() throws Exception {
        List<String> command = JobProcess.driverCommand();
        command.addAll(job("logged"));
        try (JobProcess process = JobProcess.start(new ProcessBuilder(command))) {
            assertEquals(0, process.waitFor(Duration.ofMinutes(3)), process.tail());
            List<String> progress = process.lines().stream()
                    .filter(l -> l.contains("Progress: "))
                    .toList();
            assertTrue(progress.size() >= 2, process.tail());
            for (String line : progress) {
                assertTrue(LINE.matcher(line).matches(), line);
            }
            for (String line : process.lines()) {
                assertFalse(line.contains("\r") || line.contains("\u001b"), "control codes in the log: " + line);
            }
        }
    }

    @Test
    void aTerminalGetsOneUpdatingBar() throws Exception {
        String shellCommand = JobProcess.driverCommand().stream()
                        .map(ProgressDisplayIT::quoted)
                        .collect(Collectors.joining(" "))
                + " "
                + job("terminal").stream().map(ProgressDisplayIT::quoted).collect(Collectors.joining(" "));
        ProcessBuilder underTerminal = new ProcessBuilder("script", "-qfec", shellCommand, "/dev/null");
        underTerminal.environment().put("TERM", "xterm");
        try (JobProcess process = JobProcess.start(underTerminal)) {
            assertEquals(0, process.waitFor(Duration.ofMinutes(3)), process.tail());
            // The bar redraws its line with a carriage return; the reader splits lines there, so each state is a line.
            List<String> states = process.lines().stream()
                    .filter(l -> l.startsWith("training ") && l.contains("%"))
                    .toList();
            assertTrue(states.size() >= 5, "the bar was redrawn: " + process.tail());
            String output = String.join("\n", process.lines());
            assertTrue(output.contains("epoch 2/2"), process.tail());
            assertTrue(output.contains("100%"), "the bar reached the end: " + process.tail());
            assertFalse(output.contains("Progress: epoch"), "no progress lines beside the bar");
        }
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
