package io.sparklstm.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The gate's rules in order: chance (accuracy and loss), then --min-accuracy, then --max-regression. */
class QualityGateTest {

    /** 3 classes: 50 / 30 / 20 examples; {@code correct} of each class predicted right, the rest as class 0 or 1. */
    private static ClassificationReport report(int correct0, int correct1, int correct2) {
        return new ClassificationReport(
                new long[][] {{correct0, 50 - correct0, 0}, {30 - correct1, correct1, 0}, {20 - correct2, 0, correct2}
                });
    }

    private final QualityGate defaults = new QualityGate(0.0, 0.01);

    @Test
    void majorityClassRateIsTheLargestClassShare() {
        assertEquals(0.5, report(50, 0, 0).majorityClassRate(), 1e-12);
    }

    @Test
    void aModelNoBetterThanAlwaysAnsweringTheMajorityClassIsRefusedByDefault() {
        QualityGate.Decision d = defaults.decide(report(50, 0, 0), 0.5, null, Double.NaN);
        assertFalse(d.promote());
        assertTrue(d.reason().contains("no better than chance"), d.reason());
        assertEquals(0.5, d.chanceAccuracy(), 1e-12);
    }

    @Test
    void aModelWhoseTrainingLossIsNotBelowAUniformGuessIsRefused() {
        QualityGate.Decision d = defaults.decide(report(45, 25, 15), Math.log(3) + 0.2, null, Double.NaN);
        assertFalse(d.promote());
        assertTrue(d.reason().contains("uniform guess"), d.reason());
        assertFalse(defaults.decide(report(45, 25, 15), Double.NaN, null, Double.NaN)
                .promote());
    }

    @Test
    void aLearningModelPassesThenTheOptionsApply() {
        assertTrue(defaults.decide(report(45, 25, 15), 0.3, null, Double.NaN).promote());
        QualityGate strict = new QualityGate(0.9, 0.01);
        QualityGate.Decision low = strict.decide(report(45, 25, 15), 0.3, null, Double.NaN);
        assertFalse(low.promote());
        assertTrue(low.reason().contains("--min-accuracy"), low.reason());
        QualityGate.Decision regressed = defaults.decide(report(45, 25, 15), 0.3, "prev", 0.95);
        assertFalse(regressed.promote());
        assertTrue(regressed.reason().contains("--max-regression"), regressed.reason());
        assertTrue(defaults.decide(report(45, 25, 15), 0.3, "prev", 0.855).promote());
    }
}
