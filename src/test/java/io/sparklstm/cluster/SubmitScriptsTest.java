package io.sparklstm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The submit scripts' spark-submit commands (DRY_RUN=1) and conf/spark-defaults.conf: the settings a cluster run needs
 * are there, and the Java 17 opens list is one list everywhere.
 */
class SubmitScriptsTest {

    @Test
    void sparkDefaultsCarryKryoOpensMemoryAndCpuSettings() throws Exception {
        Properties conf = new Properties();
        // Java properties syntax reads "key  value" lines the same way Spark does.
        try (var r = Files.newBufferedReader(SubmitScripts.ROOT.resolve("conf/spark-defaults.conf"))) {
            conf.load(r);
        }
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.getProperty("spark.serializer"));
        assertEquals("io.sparklstm.train.BulkNd4jKryoRegistrator", conf.getProperty("spark.kryo.registrator"));
        assertEquals("1", conf.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals(conf.getProperty("spark.task.cpus"), conf.getProperty("spark.executorEnv.OMP_NUM_THREADS"));
        assertNotNull(conf.getProperty("spark.executor.memoryOverhead"));
        assertNotNull(conf.getProperty("spark.locality.wait"));
        for (String role : List.of("driver", "executor")) {
            String opts = conf.getProperty("spark." + role + ".extraJavaOptions");
            assertEquals(
                    SubmitScripts.java17Opens(),
                    List.of(opts.split(" "))
                            .subList(0, SubmitScripts.java17Opens().size()),
                    role + " options start with submit/java17-opens.txt");
            assertTrue(opts.contains("-Dorg.bytedeco.javacpp.maxbytes=") && opts.contains("maxphysicalbytes="), opts);
        }
    }

    @Test
    void opensListMatchesTheOneTheTestsRunWith() throws Exception {
        // pom.xml's java17.opens property (surefire's argLine) and submit/java17-opens.txt must not drift apart.
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String open : SubmitScripts.java17Opens()) {
            assertTrue(jvmArgs.contains(open), "surefire argLine (pom java17.opens) lacks " + open);
        }
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
                List.of("--epochs", "1"),
                r.command().subList(r.command().size() - 2, r.command().size()));
        assertTrue(
                r.stderr().contains("log4j2.configurationFile"), "client-mode driver logs through conf: " + r.stderr());
    }

    @Test
    void yarnScriptShipsConfAndPassesKerberosCredentials() throws Exception {
        Path keytab = Files.createTempFile("sparklstm", ".keytab");
        try {
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
                    List.of("--data", "hdfs:///mnist"),
                    r.command().subList(r.command().size() - 2, r.command().size()));

            SubmitScripts.Result client = SubmitScripts.dryRun("yarn.sh", Map.of("DEPLOY_MODE", "client"));
            assertEquals(0, client.exitCode(), client.stderr());
            assertEquals(
                    null, client.conf("spark.driver.extraJavaOptions"), "client mode keeps the file's driver options");

            SubmitScripts.Result halfKerberos =
                    SubmitScripts.dryRun("yarn.sh", Map.of("PRINCIPAL", "trainer@EXAMPLE.COM"));
            assertEquals(2, halfKerberos.exitCode(), "PRINCIPAL without KEYTAB is refused");
        } finally {
            Files.deleteIfExists(keytab);
        }
    }

    @Test
    void everyScriptHasHelp() throws Exception {
        for (String script : List.of("standalone.sh", "yarn.sh", "k8s.sh", "local-cluster.sh")) {
            SubmitScripts.Result r = SubmitScripts.dryRun(script, Map.of(), "--help");
            assertEquals(0, r.exitCode(), script + ": " + r.stderr());
            String help = String.join("\n", r.command());
            assertTrue(help.contains("Usage:") && help.contains("Settings"), script + " --help:\n" + help);
        }
    }
}
