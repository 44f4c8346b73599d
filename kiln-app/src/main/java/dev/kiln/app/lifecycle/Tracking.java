package dev.kiln.app.lifecycle;

import dev.kiln.app.promotion.Gates;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.Run;
import dev.kiln.store.RunStatus;
import dev.kiln.store.TrackingStore;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.search.Trial;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a training search as tracked runs: one parent run for the whole search (its parameters, the
 * chosen model's metrics, the bundle, leaderboard and data profile as artifacts) and one child run per
 * candidate (its hyperparameters and metrics). A failure ends the parent run as FAILED.
 */
public final class Tracking {
    private Tracking() {
    }

    public record Tracked(TrainingReport report, Run run) {
    }

    public static Tracked train(KilnStore store, String experiment, TrainOptions options, ProgressListener progress) {
        return train(store, experiment, options, progress, Map.of());
    }

    /** As above, with {@code extraTags} set on the parent run when it starts (so a failed run carries them too). */
    public static Tracked train(KilnStore store, String experiment, TrainOptions options, ProgressListener progress,
                         Map<String, String> extraTags) {
        TrackingStore tracking = store.tracking();
        tracking.reapDeadRuns();
        Map<String, String> tags = new LinkedHashMap<>(extraTags);
        tags.put("kiln.kind", "search");
        tags.put("kiln.data", options.data().toString());
        String commit = System.getProperty("kiln.gitCommit");
        if (commit != null && !commit.isBlank()) {
            tags.put("kiln.git_commit", commit);
        }
        Run parent = tracking.startRun(experiment, null, "train " + options.data().getFileName(), tags);
        TrainingReport report;
        try {
            tracking.logParams(parent.id(), params(options));
            report = Training.run(options, progress);
        } catch (RuntimeException e) {
            tracking.setTag(parent.id(), "kiln.error", String.valueOf(e.getMessage()));
            tracking.endRun(parent.id(), RunStatus.FAILED);
            throw e;
        }
        try {
            for (TrainingReport.Candidate c : report.leaderboard()) {
                Map<String, String> candidateTags = new LinkedHashMap<>();
                candidateTags.put("kiln.kind", "candidate");
                candidateTags.put("kiln.chosen", Boolean.toString(c.chosen()));
                candidateTags.put("kiln.pareto_front", Boolean.toString(c.paretoFront()));
                if (c.violations() != null && !c.violations().isEmpty()) {
                    candidateTags.put("kiln.violations", String.join("; ", c.violations()));
                }
                Run child = tracking.startRun(experiment, parent.id(), c.algorithm(), candidateTags);
                Map<String, String> hp = new LinkedHashMap<>();
                hp.put("algorithm", c.algorithm());
                c.hyperparameters().forEach((k, v) -> hp.put(k, String.valueOf(v)));
                tracking.logParams(child.id(), hp);
                tracking.logMetrics(child.id(), candidateMetrics(c), 0);
                logTrials(tracking, experiment, child.id(), report, c.algorithm());
                tracking.endRun(child.id(), RunStatus.FINISHED);
            }
            TrainingReport.Candidate chosen = report.leaderboard().stream().filter(TrainingReport.Candidate::chosen).findFirst().orElseThrow();
            tracking.logMetrics(parent.id(), candidateMetrics(chosen), 0);
            tracking.logMetrics(parent.id(), fairnessMetrics(report), 0);
            tracking.logMetrics(parent.id(), timingMetrics(report.timings()), 0);
            tracking.setTag(parent.id(), "kiln.chosen", report.chosen());
            tracking.setTag(parent.id(), "kiln.dataset_sha256", report.datasetSha256());
            tracking.setTag(parent.id(), "kiln.task", report.task().wireName());
            tracking.logArtifact(parent.id(), "bundle", Path.of(report.bundle()));
            tracking.logJson(parent.id(), "leaderboard.json", withoutProfile(report));
            tracking.logJson(parent.id(), "profile.json", report.profile());
            tracking.endRun(parent.id(), RunStatus.FINISHED);
        } catch (RuntimeException e) {
            tracking.endRun(parent.id(), RunStatus.FAILED);
            throw e;
        }
        return new Tracked(report, tracking.run(parent.id()).orElse(parent));
    }

    /**
     * Each trial of the candidate's search as a child run of the candidate's run: its configuration as parameters, its
     * mean validation score and per-fold scores as metrics, its status (completed, promoted, pruned, failed) as a tag.
     */
    private static void logTrials(TrackingStore tracking, String experiment, String candidateRun, TrainingReport report,
                                  String algorithm) {
        if (report.search() == null) {
            return;
        }
        for (TrainingReport.Search search : report.search()) {
            if (!search.algorithm().equals(algorithm)) {
                continue;
            }
            for (Trial t : search.trials()) {
                Map<String, String> tags = new LinkedHashMap<>();
                tags.put("kiln.kind", "trial");
                tags.put("kiln.trial_status", t.status().name().toLowerCase(java.util.Locale.ROOT));
                tags.put("kiln.trial_resource", t.resource());
                if (t.reason() != null && !t.reason().isEmpty()) {
                    tags.put("kiln.trial_reason", t.reason());
                }
                if (t.id() == search.bestTrial()) {
                    tags.put("kiln.best_trial", "true");
                }
                Run run = tracking.startRun(experiment, candidateRun, algorithm + " trial " + t.id() + " rung " + t.rung(), tags);
                Map<String, String> params = new LinkedHashMap<>();
                t.config().forEach((k, v) -> params.put(k, String.valueOf(v)));
                tracking.logParams(run.id(), params);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("valid_" + search.metric(), t.meanScore());
                for (int k = 0; k < t.foldScores().size(); k++) {
                    metrics.put("fold" + k + "_" + search.metric(), t.foldScores().get(k));
                }
                metrics.put("seconds", t.seconds());
                if (!t.bestRounds().isEmpty()) {
                    metrics.put("best_rounds_mean", t.bestRounds().stream().mapToInt(Integer::intValue).average().orElse(Double.NaN));
                }
                metrics.values().removeIf(v -> v == null || v.isNaN() || v.isInfinite());
                tracking.logMetrics(run.id(), metrics, 0);
                tracking.endRun(run.id(), t.status() == Trial.Status.FAILED ? RunStatus.FAILED : RunStatus.FINISHED);
            }
        }
    }

    /** The chosen model's slice gaps as run metrics, {@code fairness.<column>.<gap>}: what runs compare and gates read. */
    /** Where the run's time went, in seconds, as metrics a runs table can show and sort: total, fits, everything else. */
    static Map<String, Double> timingMetrics(TrainingReport.Timings timings) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (timings != null) {
            out.put("time_total_s", timings.total() / 1000.0);
            out.put("time_fits_s", timings.fits() / 1000.0);
            out.put("time_outside_fits_s", timings.outsideFits() / 1000.0);
            out.put("time_read_s", timings.read() / 1000.0);
        }
        return out;
    }

    public static Map<String, Double> fairnessMetrics(TrainingReport report) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (report.slices() != null) {
            for (var c : report.slices()) {
                c.gaps().forEach((gap, v) -> m.put(Gates.FAIRNESS + c.column() + "." + gap, v));
            }
        }
        m.values().removeIf(v -> v == null || v.isNaN());
        return m;
    }

    private static Map<String, Double> candidateMetrics(TrainingReport.Candidate c) {
        Map<String, Double> m = new LinkedHashMap<>();
        c.validationMetrics().forEach((k, v) -> m.put("valid_" + k, v));
        c.testMetrics().forEach((k, v) -> m.put("test_" + k, v));
        m.put("train_seconds", c.trainSeconds());
        m.put("latency_p50_us", c.latencyP50Micros());
        m.put("latency_p99_us", c.latencyP99Micros());
        m.put("bundle_bytes", (double) c.bundleBytes());
        m.values().removeIf(v -> v == null || v.isNaN());
        return m;
    }

    private static Map<String, String> params(TrainOptions o) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("data", o.data().toString());
        p.put("target", o.target());
        p.put("task", o.task() == null ? "auto" : o.task().wireName());
        p.put("split", o.split() == null ? "auto" : o.split().wireName());
        if (o.timeColumn() != null) {
            p.put("time_column", o.timeColumn());
        }
        p.put("test_fraction", Double.toString(o.testFraction()));
        p.put("validation_fraction", Double.toString(o.validationFraction()));
        p.put("seed", Long.toString(o.seed()));
        p.put("algorithms", String.join(",", o.algorithms()));
        if (!o.exclude().isEmpty()) {
            p.put("exclude", String.join(",", o.exclude()));
        }
        if (!o.sliceBy().isEmpty()) {
            p.put("slice_by", String.join(",", o.sliceBy()));
        }
        if (o.positiveClass() != null) {
            p.put("positive_class", o.positiveClass());
        }
        if (o.costMatrix() != null) {
            p.put("cost_fp", Double.toString(o.costMatrix().falsePositive()));
            p.put("cost_fn", Double.toString(o.costMatrix().falseNegative()));
        }
        if (o.warmStart() != null) {
            // Not read back by a retrain: a warm start is asked for each time, never inherited from the run.
            p.put("warm_start_from", o.warmStart().parentVersion());
        }
        if (o.testData() != null) {
            p.put("test_data", o.testData().toString());
        }
        var t = o.tuning();
        if (t.budget() != null) {
            p.put("budget_seconds", Double.toString(t.budget().toMillis() / 1000.0));
        }
        if (t.space() != null) {
            p.put("search_space", t.space());
        }
        if (t.groupColumn() != null) {
            p.put("group_column", t.groupColumn());
        }
        if (t.folds() != null) {
            p.put("folds", Integer.toString(t.folds()));
        }
        if (t.configurations() != null) {
            p.put("configurations", Integer.toString(t.configurations()));
        }
        var k = o.constraints();
        if (k.maxLatencyMicros() != null) {
            p.put("max_latency_us", Double.toString(k.maxLatencyMicros()));
        }
        if (k.maxBundleBytes() != null) {
            p.put("max_bundle_kb", Double.toString(k.maxBundleBytes() / 1024.0));
        }
        if (k.maxTrainSeconds() != null) {
            p.put("max_train_seconds", Double.toString(k.maxTrainSeconds()));
        }
        if (k.interpretable()) {
            p.put("interpretable", "true");
        }
        if (!k.monotone().isEmpty()) {
            p.put("monotone", k.monotone().toString());
        }
        return p;
    }

    /** The split named by {@code --split} or recorded in a run's params ({@code random}, {@code stratified}, {@code time}); null for none. */
    public static TrainOptions.SplitKind splitKind(String split) {
        if (split == null) {
            return null;
        }
        for (TrainOptions.SplitKind k : TrainOptions.SplitKind.values()) {
            if (k.wireName().equalsIgnoreCase(split.trim())) {
                return k;
            }
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unknown split '" + split + "': expected random, stratified or time");
    }

    /** A training report as JSON fields, without the dataset profile (large; stored as its own artifact). */
    public static Map<String, Object> withoutProfile(TrainingReport r) {
        Map<String, Object> m = Json.mapper().convertValue(r, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        m.remove("profile");
        return m;
    }
}
