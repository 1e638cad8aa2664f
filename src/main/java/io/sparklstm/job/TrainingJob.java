package io.sparklstm.job;

import io.sparklstm.common.Redact;
import io.sparklstm.config.JobConfig;
import io.sparklstm.config.JobParams;
import io.sparklstm.model.NativeThreads;
import io.sparklstm.model.fastlstm.GemmSelection;
import io.sparklstm.observe.JobLabels;
import io.sparklstm.store.RunLock;
import io.sparklstm.store.RunStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run as a pipeline of stages, each a small class with typed input and output, data flowing one way:
 *
 * <pre>
 * Preflight -&gt; lock -&gt; StageMinibatches -&gt; Train -&gt; Evaluate -&gt; Publish -&gt; Promote -&gt; CleanUp -&gt; UpdateIndex
 * </pre>
 *
 * {@link Preflight} makes every check of user input and store state before anything is written, so bad input leaves
 * the output untouched. A run killed at any point is resumed by rerunning the same command.
 */
public final class TrainingJob {

    /**
     * The store lock's lease (see {@link RunLock}): heartbeats every 5 s, a live holder recognised within seconds, a
     * holder that died on another machine taken over after two minutes without a heartbeat.
     */
    static final Duration LOCK_LEASE = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(TrainingJob.class);

    private final JobConfig config;
    private final JavaSparkContext sc;

    public TrainingJob(JobConfig config, JavaSparkContext sc) {
        this.config = config;
        this.sc = sc;
    }

    /**
     * The published run.
     *
     * @param runDir   where it is
     * @param metrics  its metrics, including the gate's decision
     * @param promoted whether it became CURRENT
     */
    public record Result(Path runDir, RunMetrics metrics, boolean promoted) {}

    public Result run() throws IOException {
        String startedAt = Instant.now().toString();
        NativeThreads.limitOnce(NativeThreads.taskCpus(sc));
        GemmSelection.select(config.get(JobParams.GEMM), NativeThreads.perTask(NativeThreads.taskCpus(sc)));
        Preflight preflight = new Preflight(sc.hadoopConfiguration(), sc.defaultParallelism());
        RunStore store = preflight.store(config);
        Optional<Result> recovered = new Recover(sc.sc().applicationId()).run(config, store);
        if (recovered.isPresent()) {
            return recovered.get();
        }
        RunPlan plan = preflight.check(config, store);
        log.info(
                "Run {}: data {} ({} train, {} test examples available), store {}",
                plan.runId(),
                Redact.of(plan.inputs().directory()),
                plan.inputs().train().count(),
                plan.inputs().test().count(),
                Redact.of(plan.store().root()));

        sc.sc().addJobTag(JobLabels.runTag(plan.runId()));
        try (RunLock lock = plan.store().lock(plan.runId(), sc.sc().applicationId(), LOCK_LEASE)) {
            preflight.recheckUnderLock(plan);
            StagedData data = new StageMinibatches(sc).run(plan);
            Trained trained = new Train(sc).run(plan, data, lock);
            Evaluation evaluation = new Evaluate(sc).run(plan, data, trained);
            lock.verifyHeld(); // fencing: a run that lost its lock publishes nothing
            Publish.Published published = new Publish(sc, startedAt).run(plan, data, trained, evaluation);
            lock.verifyHeld();
            boolean promoted = new Promote()
                    .run(
                            plan.store(),
                            plan.runId(),
                            evaluation.gate().promote(),
                            evaluation.gate().reason());
            lock.verifyHeld(); // retention deletes runs
            new CleanUp().run(plan.store(), plan.runId(), plan.config().get(JobParams.KEEP_RUNS));
            new UpdateIndex().run(plan.store());
            return new Result(published.dir(), published.metrics(), promoted);
        } finally {
            sc.sc().removeJobTag(JobLabels.runTag(plan.runId()));
        }
    }
}
