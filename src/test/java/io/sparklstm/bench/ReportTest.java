package io.sparklstm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The statistics the bench's table prints for the one-core pairs (i). */
class ReportTest {

    @Test
    void geometricMeanAndItsIntervalOfThePairs() {
        double[] same = Report.geometricMean(List.of(1.2, 1.2, 1.2));
        assertEquals(1.2, same[0], 1e-12);
        assertEquals(1.2, same[1], 1e-12, "no spread, no interval");
        assertEquals(1.2, same[2], 1e-12);

        // the eighteen pairs of issue 14's twelfth pass (docs/performance.md), computed by hand: 1.334 (1.284-1.386)
        List<Double> pairs = List.of(
                3078 / 2335.0,
                3008 / 2195.0,
                2572 / 2218.0,
                2875 / 2254.0,
                3056 / 2215.0,
                2874 / 2116.0,
                2778 / 1948.0,
                2892 / 2327.0,
                2731 / 2281.0,
                2808 / 2277.0,
                2973 / 2127.0,
                2833 / 1928.0,
                2898 / 2008.0,
                2845 / 2194.0,
                3015 / 2235.0,
                2993 / 1903.0,
                2786 / 2166.0,
                2879 / 2213.0);
        double[] g = Report.geometricMean(pairs);
        assertEquals(1.334, g[0], 0.0005);
        assertEquals(1.284, g[1], 0.0005);
        assertEquals(1.386, g[2], 0.0005);

        double[] two = Report.geometricMean(List.of(1.0, 2.0)); // one degree of freedom: t = 12.706
        assertEquals(Math.sqrt(2), two[0], 1e-12);
        assertTrue(two[1] < 0.2 && two[2] > 10, "a wide interval from two pairs");
        assertTrue(Double.isNaN(Report.geometricMean(List.of(1.3))[0]), "one pair has no interval");
    }
}
