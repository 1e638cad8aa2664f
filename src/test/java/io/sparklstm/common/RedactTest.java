package io.sparklstm.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparklstm.cli.Main;
import io.sparklstm.config.JobConfig;
import org.junit.jupiter.api.Test;

/** Credentials in URIs never reach logs, config.json or provenance.json. */
class RedactTest {

    @Test
    void userInfoAndSecretQueryValuesAreRemoved() {
        assertEquals("s3a://***@bucket/mnist", Redact.uri("s3a://AKIAXXXX:wJalrXUtnFEMI@bucket/mnist"));
        assertEquals("hdfs://***@nn:8020/models", Redact.uri("hdfs://alice:pw@nn:8020/models"));
        assertEquals(
                "abfs://c@acct.dfs.core.windows.net/x?sig=***&sv=2020",
                Redact.uri("abfs://c@acct.dfs.core.windows.net/x?sig=abc123&sv=2020"));
        assertEquals("file:/tmp/store", Redact.uri("file:/tmp/store"));
        assertEquals("gs://b/x?access_token=***", Redact.uri("gs://b/x?access_token=ya29.secret"));
    }

    @Test
    void theConfigurationAsStoredHoldsNoCredentials() {
        JobConfig config = Main.parse(
                "--run-id",
                "r",
                "--data",
                "s3a://KEY:SECRET@bucket/mnist",
                "--output",
                "hdfs://bob:pw@nn/models",
                "--init-from",
                "s3a://KEY:SECRET@bucket/model.zip");
        String stored = config.asMap().toString();
        assertFalse(stored.contains("SECRET") || stored.contains("pw"), stored);
        assertEquals("s3a://***@bucket/mnist", config.asMap().get("data"));
    }
}
