package io.sparklstm.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JVMs a cluster test starts, each with its output in a log file, and their teardown: SIGTERM first (Spark's
 * Workers then stop their executors, HDFS deletes its storage), SIGKILL for anything still alive after a grace
 * period, descendants included, so no JVM outlives the test, also when it fails or the test JVM is shut down.
 */
final class Processes implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "cluster-test-teardown");

    Processes() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A java process: {@code java <jvmArgs> -cp <classpath> <mainClass> <args>}, output to {@code log}. */
    synchronized Process startJava(
            List<String> jvmArgs,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            boolean pipeStdin)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(cmd, env, log, pipeStdin, null);
    }

    /**
     * Any command, output (stdout and stderr) to {@code log}, in {@code dir} (null: this JVM's working directory),
     * without the SPARK_* and HADOOP_* variables of this JVM's environment but with {@code env}.
     */
    synchronized Process start(List<String> cmd, Map<String, String> env, Path log, boolean pipeStdin, Path dir)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (!pipeStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("HADOOP_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** This JVM's java executable. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Every process started and every descendant of theirs that is still alive. */
    synchronized List<ProcessHandle> alive() {
        List<ProcessHandle> alive = new ArrayList<>();
        for (Process p : started) {
            p.toHandle().descendants().filter(ProcessHandle::isAlive).forEach(alive::add);
            if (p.isAlive()) {
                alive.add(p.toHandle());
            }
        }
        return alive;
    }

    /**
     * The processes of a cluster still alive: those started, their descendants, and any process whose command line
     * names the cluster's directory {@code dir} (an executor whose Worker or NodeManager is gone is no longer anyone's
     * descendant).
     */
    List<ProcessHandle> leftovers(Path dir) {
        java.util.Set<ProcessHandle> alive = new java.util.LinkedHashSet<>(alive());
        String prefix = dir + File.separator;
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> commandLine(p).contains(prefix))
                .filter(ProcessHandle::isAlive)
                .forEach(alive::add);
        return List.copyOf(alive);
    }

    /**
     * The full command line of a process, arguments separated by spaces. Read from /proc where it exists:
     * ProcessHandle.Info may cut a long command line (an executor's classpath alone is several KB).
     */
    static String commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        try {
            if (java.nio.file.Files.isReadable(proc)) {
                return new String(java.nio.file.Files.readAllBytes(proc), java.nio.charset.StandardCharsets.UTF_8)
                        .replace('\0', ' ');
            }
        } catch (IOException e) {
            // The process ended meanwhile, or /proc is not readable: fall back to what the JDK sees.
        }
        return p.info().commandLine().orElse("");
    }

    /** Stops everything, newest first; returns the pids that needed SIGKILL. */
    synchronized List<Long> stopAll() {
        List<ProcessHandle> descendants = new ArrayList<>();
        for (Process p : started) {
            p.toHandle().descendants().forEach(descendants::add);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Long> killed = new ArrayList<>();
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    killed.add(p.pid());
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                killed.add(d.pid());
                d.destroyForcibly();
                d.onExit()
                        .orTimeout(10, TimeUnit.SECONDS)
                        .exceptionally(t -> null)
                        .join();
            }
        }
        return killed;
    }

    private synchronized void killAll() {
        for (Process p : started) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // Already shutting down: the hook runs anyway.
        }
    }
}
