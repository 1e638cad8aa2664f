package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.config.LrSchedule;
import io.sparklstm.config.LstmImplementation;
import io.sparklstm.model.SeedNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** The learning-rate schedules: their values, and that the driver's rate reaches the network it broadcasts. */
class LearningRateTest {

    @Test
    void exponentialStepsOncePerEpochAndIsLeftToTheUpdater() {
        LearningRate lr = new LearningRate(LrSchedule.EXPONENTIAL, 0.004, 0.5, 0.5, 8);
        assertFalse(lr.setByDriver());
        assertEquals(0.004, lr.at(0), 1e-12);
        assertEquals(0.004, lr.at(0.99), 1e-12);
        assertEquals(0.002, lr.at(1), 1e-12);
        assertEquals(0.0005, lr.at(3.5), 1e-12);
    }

    @Test
    void cosineWarmsUpLinearlyThenDecaysToItsFloorAtTheLastEpoch() {
        LearningRate lr = new LearningRate(LrSchedule.COSINE, 0.005, 1, 0.25, 4);
        assertTrue(lr.setByDriver());
        assertEquals(0.0005, lr.at(0), 1e-12); // a tenth of the peak
        assertEquals(0.005 * (0.1 + 0.9 * 0.5), lr.at(0.125), 1e-12); // halfway through the warm-up
        assertEquals(0.005, lr.at(0.25), 1e-12);
        double mid = 0.25 + (4 - 0.25) / 2;
        assertEquals(0.005 * (0.01 + 0.99 * 0.5), lr.at(mid), 1e-12);
        assertEquals(0.00005, lr.at(4), 1e-12);
        assertEquals(0.00005, lr.at(5), 1e-12); // past the end: stays at the floor
        double previous = Double.MAX_VALUE;
        for (double e = 0.25; e <= 4; e += 0.05) {
            assertTrue(lr.at(e) <= previous, "not decreasing at epoch " + e);
            previous = lr.at(e);
        }
    }

    @Test
    void theDriversRateReachesTheNetworksUpdaterConfiguration() {
        MultiLayerNetwork net = new SeedNetwork(8, 0.005, 1.0, 0, 1, LstmImplementation.FAST).newNetwork();
        LearningRate lr = new LearningRate(LrSchedule.COSINE, 0.005, 1, 0.25, 4);
        lr.applyTo(net, 2.0);
        double expected = lr.at(2.0);
        for (int layer = 0; layer < net.getnLayers(); layer++) {
            assertEquals(expected, net.getLearningRate(layer), 1e-12, "layer " + layer);
        }
        // what the round's broadcast carries: the configuration JSON
        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains(Double.toString(expected)), "rate not in the configuration JSON");
    }
}
