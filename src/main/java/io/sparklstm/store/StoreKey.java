package io.sparklstm.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.conf.Configuration;

/**
 * The secret that makes the store's model digests mean something against someone who can write the store: with a key,
 * every model and checkpoint is recorded with an HMAC-SHA256 and loaded only when its HMAC verifies, so a model swapped
 * together with its {@code provenance.json} is refused. Without a key only SHA-256 digests are kept, which detect
 * accidental damage, not tampering.
 *
 * <p>The key comes from the environment variable {@value #ENV} of the driver, or else from the Hadoop configuration
 * property {@value #PROPERTY} read through {@link Configuration#getPassword}, which consults a configured credential
 * provider ({@code hadoop.security.credential.provider.path}, e.g. a JCEKS keystore on HDFS) before the plain
 * property. It is only ever needed on the driver.
 */
public final class StoreKey {

    public static final String ENV = "SPARKLSTM_STORE_KEY";
    public static final String PROPERTY = "sparklstm.store.hmac.key";

    private final byte[] key;

    private StoreKey(byte[] key) {
        this.key = key;
    }

    /** The configured key, if any. */
    public static Optional<StoreKey> from(Configuration hadoop) throws IOException {
        String env = System.getenv(ENV);
        if (env != null && !env.isEmpty()) {
            return Optional.of(new StoreKey(env.getBytes(StandardCharsets.UTF_8)));
        }
        char[] secret = hadoop.getPassword(PROPERTY);
        if (secret != null && secret.length > 0) {
            return Optional.of(new StoreKey(new String(secret).getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    /** A new HMAC-SHA256 computation with this key. */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JVM has no HmacSHA256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
