package dev.kiln.spark.train;

import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.Run;
import dev.kiln.store.RunStatus;
import dev.kiln.store.TrackingStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@code kiln spark train} run recorded as {@code kiln train} records its runs (kiln-app's Tracking): a parent run
 * ({@code kiln.kind=search}) with the options as parameters, the chosen model's metrics, the bundle and the report as
 * artifacts, and one child run for the one candidate (gbdt) with its hyperparameters and metrics; a failure ends the
 * parent run FAILED with the error as a tag. With a name, the bundle is then registered as that model's next version.
 */
public final class TrackedSparkTraining {
    private TrackedSparkTraining() {
    }

    public record Tracked(SparkTrainingResult result, Run run, ModelVersion registered) {
    }

    public static Tracked train(KilnStore store, String experiment, SparkTrainOptions options, String registerAs,
                                String actor, Supplier<SparkTrainingResult> training) {
        TrackingStore tracking = store.tracking();
        tracking.reapDeadRuns();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("kiln.kind", "search");
        tags.put("kiln.data", options.source());
        tags.put("kiln.engine", "spark");
        String commit = System.getProperty("kiln.gitCommit");
        if (commit != null && !commit.isBlank()) {
            tags.put("kiln.git_commit", commit);
        }
        Run parent = tracking.startRun(experiment, null, "spark train " + Path.of(options.source()).getFileName(), tags);
        SparkTrainingResult result;
        try {
            tracking.logParams(parent.id(), params(options));
            result = training.get();
        } catch (RuntimeException e) {
            tracking.setTag(parent.id(), "kiln.error", String.valueOf(e.getMessage()));
            tracking.endRun(parent.id(), RunStatus.FAILED);
            throw e;
        }
        try {
            Map<String, Double> metrics = metrics(result);
            Run child = tracking.startRun(experiment, parent.id(), "gbdt", Map.of("kiln.kind", "candidate",
                    "kiln.chosen", "true"));
            Map<String, String> hp = new LinkedHashMap<>();
            hp.put("algorithm", "gbdt");
            result.hyperparameters().forEach((k, v) -> hp.put(k, String.valueOf(v)));
            tracking.logParams(child.id(), hp);
            tracking.logMetrics(child.id(), metrics, 0);
            tracking.endRun(child.id(), RunStatus.FINISHED);
            tracking.logMetrics(parent.id(), metrics, 0);
            tracking.setTag(parent.id(), "kiln.chosen", "gbdt");
            tracking.setTag(parent.id(), "kiln.task", result.task().wireName());
            tracking.logArtifact(parent.id(), "bundle", result.bundle());
            tracking.logJson(parent.id(), "report.json", SparkTrainReport.of(result));
            tracking.endRun(parent.id(), RunStatus.FINISHED);
        } catch (RuntimeException e) {
            tracking.endRun(parent.id(), RunStatus.FAILED);
            throw e;
        }
        Run run = tracking.run(parent.id()).orElse(parent);
        ModelVersion version = registerAs == null ? null : store.registry().register(registerAs, result.bundle(), run.id(),
                actor, "kiln spark train --register " + registerAs);
        return new Tracked(result, run, version);
    }

    private static Map<String, Double> metrics(SparkTrainingResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        r.validationMetrics().forEach((k, v) -> m.put("valid_" + k, v));
        r.testMetrics().forEach((k, v) -> m.put("test_" + k, v));
        m.values().removeIf(v -> v == null || v.isNaN() || v.isInfinite());
        return m;
    }

    private static Map<String, String> params(SparkTrainOptions o) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("data", o.source());
        p.put("target", o.target());
        p.put("task", o.task() == null ? "auto" : o.task().wireName());
        p.put("split", "random");
        p.put("test_fraction", Double.toString(o.testFraction()));
        p.put("validation_fraction", Double.toString(o.validationFraction()));
        p.put("seed", Long.toString(o.seed()));
        p.put("algorithms", "gbdt");
        p.put("engine", "spark");
        if (!o.exclude().isEmpty()) {
            p.put("exclude", String.join(",", o.exclude()));
        }
        if (o.positiveClass() != null) {
            p.put("positive_class", o.positiveClass());
        }
        return p;
    }
}
