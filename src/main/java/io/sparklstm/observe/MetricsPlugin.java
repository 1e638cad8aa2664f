package io.sparklstm.observe;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * A Spark plugin ({@code spark.plugins=io.sparklstm.observe.MetricsPlugin}, which the job sets itself) that publishes
 * the run's {@link LiveMetrics} in Spark's metrics system, on the driver: gauges {@code sparklstm.epoch},
 * {@code sparklstm.epochs}, {@code sparklstm.round}, {@code sparklstm.rounds}, {@code sparklstm.trainingLoss},
 * {@code sparklstm.samplesPerSecond}, {@code sparklstm.testAccuracy}, and counters {@code sparklstm.examplesSeen},
 * {@code sparklstm.roundsCompleted}, {@code sparklstm.executorsLost}. Every sink configured for the driver shows them:
 * the {@code PrometheusServlet} at {@code /metrics/prometheus} of the driver's UI, JMX, CSV, Graphite (see
 * {@code conf/metrics.properties}).
 */
public final class MetricsPlugin implements SparkPlugin {

    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            @Override
            public Map<String, String> init(SparkContext sc, PluginContext context) {
                return Map.of();
            }

            @Override
            public void registerMetrics(String appId, PluginContext context) {
                register(context.metricRegistry(), LiveMetrics.get());
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return null;
    }

    static void register(MetricRegistry registry, LiveMetrics live) {
        gauge(registry, "epoch", live::epoch);
        gauge(registry, "epochs", live::epochs);
        gauge(registry, "round", live::round);
        gauge(registry, "rounds", live::rounds);
        gauge(registry, "trainingLoss", live::loss);
        gauge(registry, "samplesPerSecond", live::samplesPerSecond);
        gauge(registry, "testAccuracy", live::testAccuracy);
        registry.register("sparklstm.examplesSeen", live.examplesSeen());
        registry.register("sparklstm.roundsCompleted", live.roundsCompleted());
        registry.register("sparklstm.executorsLost", live.executorsLost());
    }

    private static void gauge(MetricRegistry registry, String name, Supplier<Number> value) {
        registry.register("sparklstm." + name, (Gauge<Number>) value::get);
    }
}
