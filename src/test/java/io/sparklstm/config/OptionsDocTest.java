package io.sparklstm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.cli.Main;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The documents derived from the option declarations are what the declarations render, and the CLI reads them. */
class OptionsDocTest {

    private static final String REGENERATE =
            " differs from JobParams: regenerate with `java -cp target/classes io.sparklstm.config.OptionsDoc`";

    @Test
    void bundledPropertiesFileIsGeneratedFromTheDeclarations() throws IOException {
        String committed = Files.readString(Path.of(OptionsDoc.PROPERTIES), StandardCharsets.UTF_8);
        assertEquals(OptionsDoc.properties(), committed, OptionsDoc.PROPERTIES + REGENERATE);
    }

    @Test
    void optionsTableIsGeneratedFromTheDeclarations() throws IOException {
        String committed = Files.readString(Path.of(OptionsDoc.MARKDOWN), StandardCharsets.UTF_8);
        assertEquals(OptionsDoc.markdown(), committed, OptionsDoc.MARKDOWN + REGENERATE);
    }

    @Test
    void bundledPropertiesListEveryOptionWithItsDeclaredDefault() throws IOException {
        Properties bundled = new Properties();
        bundled.load(new StringReader(OptionsDoc.properties()));
        for (Param<?> param : JobParams.ALL) {
            if (param.isCliOnly()) {
                assertTrue(!bundled.containsKey(param.name()), param.name());
            } else if (param.defaultValue() == null) {
                assertTrue(OptionsDoc.properties().contains("\n# " + param.name() + "=\n"), param.name());
            } else {
                assertEquals(param.format(param.defaultValue()), bundled.getProperty(param.name()), param.name());
            }
        }
        assertEquals(
                JobParams.ALL.stream()
                        .filter(p -> p.defaultValue() != null && !p.isCliOnly())
                        .count(),
                bundled.size());
    }

    @Test
    void everyDeclaredOptionIsListedOnceInAll() throws IllegalAccessException {
        java.util.List<Param<?>> declared = new java.util.ArrayList<>();
        for (java.lang.reflect.Field field : JobParams.class.getFields()) {
            if (field.getType() == Param.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                declared.add((Param<?>) field.get(null));
            }
        }
        assertEquals(new java.util.HashSet<>(declared), new java.util.HashSet<>(JobParams.ALL), "JobParams.ALL");
        assertEquals(
                JobParams.ALL.size(),
                JobParams.ALL.stream().map(Param::name).distinct().count(),
                "unique names");
    }

    @Test
    void parsingNothingGivesEveryDeclaredDefault() {
        JobConfig config = Main.parse("--run-id", "r");
        for (Param<?> param : JobParams.ALL) {
            if (param != JobParams.RUN_ID) {
                assertEquals(param.defaultValue(), config.get(param), param.name());
            }
        }
    }

    @Test
    void configJsonHoldsEveryFileOptionByNameAndTheFingerprintOnlyWeightShapingOnes() {
        JobConfig config = Main.parse("--run-id", "r", "--lstm-impl", "stock");
        assertEquals(
                JobParams.ALL.stream()
                        .filter(p -> !p.isCliOnly())
                        .map(Param::name)
                        .toList(),
                config.asMap().keySet().stream().toList());
        assertEquals("stock", config.asMap().get("lstm-impl"));
        assertEquals(
                JobParams.ALL.stream()
                        .filter(Param::isWeightShaping)
                        .map(Param::name)
                        .toList(),
                config.weightShaping().keySet().stream().toList());
        assertTrue(config.weightShaping().containsKey("seed"));
        assertTrue(!config.weightShaping().containsKey("epochs")
                && !config.weightShaping().containsKey("output"));
    }
}
