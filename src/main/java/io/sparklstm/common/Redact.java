package io.sparklstm.common;

import java.util.regex.Pattern;

/**
 * Removes credentials from URIs before they are logged or stored: the user-info part ({@code s3a://KEY:SECRET@bucket}
 * becomes {@code s3a://***@bucket}) and the values of query parameters that look like secrets ({@code ?token=...}).
 * Configuration files ({@code config.json}, {@code provenance.json}) and log lines hold only redacted URIs; put
 * credentials in Hadoop's configuration or a credential provider instead of URIs.
 */
public final class Redact {

    /** {@code user:password@}; a user name alone (or ABFS's {@code container@account}) is no secret and stays. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@?#\\s:]*:[^/@?#\\s]*@");

    private static final Pattern SECRET_QUERY = Pattern.compile(
            "(?i)([?&](?:[a-z0-9_.-]*(?:secret|token|password|passwd|key|signature|sig|credential)[a-z0-9_.-]*)=)"
                    + "[^&#\\s]*");

    private Redact() {}

    /** {@code text} with every credential in a URI it contains replaced by {@code ***}; null stays null. */
    public static String uri(String text) {
        if (text == null) {
            return null;
        }
        String withoutUser = USER_INFO.matcher(text).replaceAll("***@");
        return SECRET_QUERY.matcher(withoutUser).replaceAll("$1***");
    }

    /** The redacted {@code toString()} of any value (e.g. a Hadoop Path). */
    public static String of(Object value) {
        return value == null ? null : uri(value.toString());
    }
}
