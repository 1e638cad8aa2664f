package io.sparklstm.job;

import io.sparklstm.common.BadInputException;
import io.sparklstm.common.EpochStats;
import io.sparklstm.config.JobParams;
import io.sparklstm.evaluate.ClassificationReport;
import io.sparklstm.evaluate.DistributedEvaluator;
import io.sparklstm.evaluate.QualityGate;
import io.sparklstm.observe.LiveMetrics;
import io.sparklstm.store.ModelFile;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage: the trained model on the test set (unless the last epoch already measured it), then the promoted model on
 * the same test set in the same run, and the quality gate's decision between them.
 */
final class Evaluate {

    private static final Logger log = LoggerFactory.getLogger(Evaluate.class);

    private final DistributedEvaluator evaluator;

    Evaluate(JavaSparkContext sc) {
        this.evaluator = new DistributedEvaluator(sc);
    }

    Evaluation run(RunPlan plan, StagedData data, Trained trained) throws IOException {
        ClassificationReport report = trained.lastEvaluation() != null
                ? trained.lastEvaluation()
                : evaluator.evaluate(trained.network(), data.test(), "run " + plan.runId());
        LiveMetrics.get().testAccuracy(report.accuracy());
        log.info(String.format(
                "Test accuracy %.4f, macro F1 %.4f on %d examples",
                report.accuracy(), report.macroF1(), report.examples()));
        List<EpochStats> epochs = trained.epochs();
        double lastLoss = epochs.get(epochs.size() - 1).loss();
        return new Evaluation(report, judge(plan, data, report, lastLoss));
    }

    /** Evaluates the promoted model on this run's test set and applies the gate. */
    private QualityGate.Decision judge(RunPlan plan, StagedData data, ClassificationReport report, double loss)
            throws IOException {
        QualityGate gate = new QualityGate(
                plan.config().get(JobParams.MIN_ACCURACY), plan.config().get(JobParams.MAX_REGRESSION));
        RunStore store = plan.store();
        Optional<String> current = store.current();
        if (current.isEmpty()) {
            return gate.decide(report, loss, null, Double.NaN);
        }
        try {
            double baseline = evaluator
                    .evaluate(store.loadModel(current.get()), data.test(), "CURRENT " + current.get())
                    .accuracy();
            log.info(String.format("Current model %s: accuracy %.4f on the same test set", current.get(), baseline));
            return gate.decide(report, loss, current.get(), baseline);
        } catch (ModelFile.CorruptModelException | BadInputException e) {
            log.warn(
                    "Current model {} cannot be loaded ({}); judging the new model on --min-accuracy alone",
                    current.get(),
                    e.getMessage());
            return gate.decide(report, loss, null, Double.NaN);
        }
    }
}
