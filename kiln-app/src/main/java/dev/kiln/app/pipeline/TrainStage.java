package dev.kiln.app.pipeline;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.lifecycle.WarmStartSource;
import dev.kiln.store.ModelVersion;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.eval.CostMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Train: {@code kiln train} with the pipeline file's options on the dataset version, tracked as a run in the experiment
 * named after the pipeline (tagged with the pipeline run). The bundle is written under the Kiln home and its manifest's
 * SHA-256 is what the later stages key on.
 */
final class TrainStage implements StageWork {
    static final String PIPELINE_TAG = "kiln.pipeline";
    static final String PIPELINE_RUN_TAG = "kiln.pipeline_run";

    @Override
    public Stage stage() {
        return Stage.TRAIN;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("data", ctx.dataset);
        parts.put("config", StageKey.hashOf(ctx.section("train") + "\n" + ctx.spec.target()));
        if (warmParent(ctx) != null) {
            parts.put("parent", warmParent(ctx).bundleSha256());
        }
        return StageKey.of("train", parts);
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        TrainOptions options = options(ctx.spec, ctx.datasetPath, Home.newBundleDir(ctx.store.home(), ctx.datasetPath));
        ModelVersion parent = warmParent(ctx);
        if (parent != null) {
            options = options.withWarmStart(WarmStartSource.of(ctx.store, parent));
        }
        Tracking.Tracked tracked = Tracking.train(ctx.store, ctx.spec.name(), options, ctx.progress,
                Map.of(PIPELINE_TAG, ctx.spec.name(), PIPELINE_RUN_TAG, ctx.runId));
        ctx.trainRunId = tracked.run().id();
        ctx.bundle = Path.of(tracked.report().bundle());
        ctx.bundleSha = manifestSha(ctx.bundle);
        ctx.task = tracked.report().task().wireName();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", ctx.trainRunId);
        out.put("bundle", ctx.bundle.toString());
        out.put("bundle_sha256", ctx.bundleSha);
        out.put("algorithm", tracked.report().chosen());
        out.put("task", ctx.task);
        out.put("selection_metric", tracked.report().selectionMetric());
        if (parent != null) {
            out.put("warm_start_from", parent.model() + ":" + parent.version());
        }
        String how = parent != null ? ", continuing " + parent.model() + ":" + parent.version() + "'s trees"
                : ctx.spec.train().warmStart() ? " (warm_start: no version in production yet, trained from scratch)" : "";
        return StageOutcome.done(out, "run " + ctx.trainRunId + ": " + tracked.report().chosen() + " chosen of "
                + tracked.report().leaderboard().size() + " candidates" + how);
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        Path bundle = Path.of(String.valueOf(output.get("bundle")));
        if (!Files.isRegularFile(bundle.resolve(BundleManifest.MANIFEST_FILE))) {
            return "its bundle " + bundle + " is gone";
        }
        String sha = manifestSha(bundle);
        if (!sha.equals(output.get("bundle_sha256"))) {
            return "its bundle " + bundle + " changed";
        }
        ctx.trainRunId = String.valueOf(output.get("run"));
        ctx.bundle = bundle;
        ctx.bundleSha = sha;
        ctx.task = String.valueOf(output.get("task"));
        return null;
    }

    @Override
    public String summary(Map<String, Object> output) {
        return "run " + output.get("run") + ", " + output.get("algorithm");
    }

    /**
     * With {@code warm_start: true}, the version in production (its GBDT is continued on the new rows); null without it,
     * or while nothing is in production (the first run trains from scratch).
     */
    static ModelVersion warmParent(RunContext ctx) {
        return ctx.spec.train().warmStart() ? ctx.holder : null;
    }

    static String manifestSha(Path bundle) {
        try {
            return Checksums.sha256(bundle.resolve(BundleManifest.MANIFEST_FILE));
        } catch (IOException e) {
            throw new dev.kiln.runtime.KilnException(dev.kiln.runtime.ErrorCode.INTERNAL, "cannot read " + bundle.resolve(BundleManifest.MANIFEST_FILE) + ": " + e.getMessage(), java.util.Map.of("bundle", bundle.toString()), e);
        }
    }

    /** The training options the pipeline file declares, Kiln's defaults where it is silent. */
    static TrainOptions options(PipelineSpec spec, Path data, Path out) {
        PipelineSpec.Train t = spec.train();
        TrainOptions d = TrainOptions.defaults(data, spec.target(), out);
        CostMatrix cost = t.costFp() == null ? null : new CostMatrix(t.costFp(), t.costFn());
        return new TrainOptions(data, spec.target(), t.task() == null ? null : Task.parse(t.task()),
                Tracking.splitKind(t.split()), t.timeColumn(),
                t.testFraction() == null ? d.testFraction() : t.testFraction(),
                t.validationFraction() == null ? d.validationFraction() : t.validationFraction(),
                t.seed() == null ? d.seed() : t.seed(), t.algorithms() == null ? d.algorithms() : t.algorithms(),
                t.exclude() == null ? List.of() : t.exclude(), t.positiveClass(), cost, out, false,
                t.sliceBy() == null ? List.of() : t.sliceBy()).withTuning(t.tuning()).withConstraints(t.constraints());
    }
}
