package io.sparklstm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The job's command line in a JVM of its own ({@code io.sparklstm.cli.Main}, Spark {@code local[2,4]}), as spark-submit
 * would start the driver: a real process that can be killed. Its output (stdout and the log on stderr) is collected
 * line by line.
 */
public final class JobProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private JobProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        lines.add("[output closed: " + e + "]");
                    }
                },
                "job-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command that starts the job's driver in local[2], without the job's own options. */
    public static List<String> driverCommand() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(Files.readAllLines(Path.of("submit", "java17-opens.txt")));
        command.addAll(List.of(
                "-Xmx2g",
                "-Dspark.master=local[2,4]",
                "-Dspark.ui.enabled=false",
                "-Dspark.driver.host=127.0.0.1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.sparklstm.cli.Main"));
        return command;
    }

    public static JobProcess start(String... jobArgs) throws IOException {
        List<String> command = driverCommand();
        command.addAll(List.of(jobArgs));
        return start(new ProcessBuilder(command));
    }

    /** Starts any command (e.g. a script that launches the job), collecting its output. */
    public static JobProcess start(ProcessBuilder builder) throws IOException {
        builder.redirectErrorStream(true);
        builder.environment().put("OMP_NUM_THREADS", "1");
        return new JobProcess(builder.start());
    }

    /** Waits until a line of output matches, failing after {@code timeout} or when the process ends first. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            for (; seen < lines.size(); seen++) {
                if (match.test(lines.get(seen))) {
                    return lines.get(seen);
                }
            }
            if (!process.isAlive() && seen == lines.size()) {
                throw new AssertionError(
                        "job ended (exit " + process.exitValue() + ") before the expected line:\n" + tail());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no expected line within " + timeout + ":\n" + tail());
    }

    /** Waits for the exit code. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("job did not end within " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** SIGKILL, as when a node dies or an operator kills the driver: no shutdown hooks run. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String tail() {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
