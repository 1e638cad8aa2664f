package io.sparklstm.cli;

import io.sparklstm.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults read from properties files whose keys are the long option names without dashes
 * ({@code batch-size=64}): first the bundled {@code sparklstm.properties} (the repository's
 * {@code conf/sparklstm.properties}), then optionally a user's file over it. Unknown keys are rejected so that a typo in
 * a config file does not silently fall back to a default.
 */
final class PropertiesDefaults implements IDefaultValueProvider {

    static final String BUNDLED = "/sparklstm.properties";

    private final Properties values;

    private PropertiesDefaults(Properties values) {
        this.values = values;
    }

    static PropertiesDefaults bundled() {
        Properties values = new Properties();
        try (InputStream in = PropertiesDefaults.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the application jar");
            }
            values.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + BUNDLED, e);
        }
        return new PropertiesDefaults(values);
    }

    /** These defaults with the entries of {@code file} on top. */
    PropertiesDefaults overlay(Path file) {
        Properties merged = new Properties();
        merged.putAll(values);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties user = new Properties();
            user.load(in);
            for (String key : user.stringPropertyNames()) {
                if (!values.containsKey(key)) {
                    throw new BadInputException("--config " + file + ": unknown key '" + key + "', expected one of "
                            + new java.util.TreeSet<>(values.stringPropertyNames()));
                }
            }
            merged.putAll(user);
        } catch (IOException e) {
            throw new BadInputException("--config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        return new PropertiesDefaults(merged);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return values.getProperty(option.longestName().replaceFirst("^-+", ""));
        }
        return null;
    }
}
