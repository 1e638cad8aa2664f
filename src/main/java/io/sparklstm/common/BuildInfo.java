package io.sparklstm.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** What this build of the job is: version and git commit (from the build), library and runtime versions. */
public final class BuildInfo {

    private static final Properties BUILD = load();

    private BuildInfo() {}

    /** This build's version, e.g. {@code 0.1.0}: the application jar is {@code target/sparklstm-<version>.jar}. */
    public static String version() {
        return BUILD.getProperty("version", "unknown");
    }

    /** Versions for provenance: app, gitCommit, gitDirty, dl4j, spark (running), java. */
    public static Map<String, String> versions(String runningSparkVersion) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("app", version());
        versions.put("gitCommit", BUILD.getProperty("gitCommit", "unknown"));
        versions.put("gitDirty", BUILD.getProperty("gitDirty", "unknown"));
        versions.put("dl4j", BUILD.getProperty("dl4j", "unknown"));
        versions.put("spark", runningSparkVersion);
        versions.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        return versions;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/sparklstm-build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // versions then read "unknown"
        }
        return properties;
    }
}
