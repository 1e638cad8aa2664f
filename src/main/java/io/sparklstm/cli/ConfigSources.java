package io.sparklstm.cli;

import io.sparklstm.common.BadInputException;
import io.sparklstm.config.JobParams;
import io.sparklstm.config.Param;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where option values come from before the command line: the bundled {@code sparklstm.properties} (the repository's
 * {@code conf/sparklstm.properties}, inside the jar), then optionally a user's file given with {@code --config}. Keys
 * are option names without dashes; each layer remembers its source so that a bad value's message names the file.
 */
final class ConfigSources {

    static final String BUNDLED = "/sparklstm.properties";

    /**
     * One properties file's entries.
     *
     * @param source the file, as named in messages
     * @param values option name to text, in file order
     */
    record Layer(String source, Map<String, String> values) {}

    private ConfigSources() {}

    static Layer bundled() {
        try (InputStream in = ConfigSources.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the application jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return new Layer("the bundled sparklstm.properties", entries(properties));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled " + BUNDLED, e);
        }
    }

    /** The user's file; unreadable, or with a key that is no option: bad input naming the file. */
    static Layer file(Path file) {
        Properties properties = new Properties();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("option --config: " + file + " is not a readable file");
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("option --config: cannot read " + file + " (" + e.getMessage() + ")");
        }
        return new Layer(file.toString(), entries(properties));
    }

    /** The defaults shown by {@code --help}: each option's value after the layers, by name. */
    static Map<String, String> merged(Layer... layers) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (Param<?> param : JobParams.ALL) {
            merged.put(param.name(), param.format(param.defaultValue()));
        }
        for (Layer layer : layers) {
            merged.putAll(layer.values());
        }
        return merged;
    }

    private static Map<String, String> entries(Properties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, properties.getProperty(k)));
        return values;
    }
}
