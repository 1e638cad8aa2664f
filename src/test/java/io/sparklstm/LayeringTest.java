package io.sparklstm;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers, each using only those below it: {cli, ml} -&gt; job -&gt; {train, evaluate, store} -&gt;
 * {model, data} -&gt; {config, common}; train, evaluate and store do not use each other, and no packages form a cycle.
 */
class LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.sparklstm");

    @Test
    void layersOnlyUseTheLayersBelow() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("io.sparklstm.cli..")
                .layer("ml")
                .definedBy("io.sparklstm.ml..")
                .layer("job")
                .definedBy("io.sparklstm.job..")
                .layer("score")
                .definedBy("io.sparklstm.score..")
                .layer("report")
                .definedBy("io.sparklstm.report..")
                .layer("observe")
                .definedBy("io.sparklstm.observe..")
                .layer("train")
                .definedBy("io.sparklstm.train..")
                .layer("evaluate")
                .definedBy("io.sparklstm.evaluate..")
                .layer("store")
                .definedBy("io.sparklstm.store..")
                .layer("model")
                .definedBy("io.sparklstm.model..")
                .layer("data")
                .definedBy("io.sparklstm.data..")
                .layer("config")
                .definedBy("io.sparklstm.config..")
                .layer("common")
                .definedBy("io.sparklstm.common..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("ml")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("job")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("score")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("report")
                .mayOnlyBeAccessedByLayers("job", "cli")
                .whereLayer("observe")
                .mayOnlyBeAccessedByLayers("job", "train", "evaluate", "cli")
                .whereLayer("train")
                .mayOnlyBeAccessedByLayers("job", "ml", "cli")
                .whereLayer("evaluate")
                .mayOnlyBeAccessedByLayers("job", "report", "cli")
                .whereLayer("store")
                .mayOnlyBeAccessedByLayers("job", "score", "ml", "report", "cli")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("train", "evaluate", "store", "job", "score", "ml", "cli")
                .whereLayer("data")
                .mayOnlyBeAccessedByLayers("train", "evaluate", "store", "job", "score", "ml", "model", "cli")
                .whereLayer("config")
                .mayOnlyBeAccessedByLayers("cli", "ml", "job", "train", "evaluate", "store", "score", "model", "data")
                .check(CLASSES);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.sparklstm.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
