package dev.kiln.app.pipeline;

import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.HeadToHead;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.store.RegisteredModel;
import dev.kiln.train.Target;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Evaluate: the candidate against the gates — the pipeline file's and the model's {@code gate.*} tags, lift over its
 * own baseline, and no regression against the alias's holder beyond {@code max_regression}. A refusal leaves production
 * as it was, opens an alert ({@value #ALERT_RULE}) and says which checks failed.
 */
final class EvaluateStage implements StageWork {
    static final String ALERT_RULE = "pipeline-gates";

    @Override
    public Stage stage() {
        return Stage.EVALUATE;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("candidate", ctx.bundleSha);
        parts.put("gates", StageKey.hashOf(ctx.section("gates") + "\n" + RunContext.canonical(tagGates(ctx))));
        // A candidate that already holds the alias compares with nothing, as before it was promoted.
        parts.put("production", ctx.holder == null || ctx.holder.bundleSha256().equals(ctx.bundleSha) ? "none"
                : ctx.holder.bundleSha256());
        return StageKey.of("evaluate", parts);
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (ctx.holder != null && ctx.holder.bundleSha256().equals(ctx.bundleSha)) {
            ctx.gatesPassed = true;
            out.put("passed", true);
            out.put("checks", List.of());
            return StageOutcome.done(out, "the candidate already holds " + ctx.spec.promote().alias() + " as " + ctx.holderLabel());
        }
        BundleManifest candidate = BundleReader.read(ctx.bundle).manifest();
        boolean hasCost = HeadToHead.hasCost(candidate);
        List<Gates.Threshold> thresholds = new ArrayList<>();
        Gates.validate(ctx.spec.gates().thresholds(), candidate.task(), hasCost, ctx.spec.file() + ": gates");
        thresholds.addAll(ctx.spec.gates().thresholds());
        Gates.fromTags(tagGates(ctx)).forEach((tag, t) -> {
            Gates.validate(List.of(t), candidate.task(), hasCost, "model tag '" + tag + "'");
            thresholds.add(t);
        });
        Gates.Holder holder = holder(ctx, candidate);
        // Not registered yet, so no live evidence of its own: that comes with the rollout.
        List<Gates.Check> checks = Gates.evaluate(candidate, holder, thresholds, ctx.spec.gates().minLift(),
                ctx.spec.gates().maxRegression(), Optional.empty());
        List<Map<String, Object>> table = new ArrayList<>();
        for (Gates.Check c : checks) {
            table.add(c.toDetails());
        }
        boolean passed = checks.stream().allMatch(Gates.Check::passed);
        ctx.gatesPassed = passed;
        ctx.checks = table;
        out.put("passed", passed);
        out.put("checks", table);
        out.put("against", ctx.holderLabel());
        if (passed) {
            return StageOutcome.done(out, checks.size() + " checks passed" + (ctx.holder == null ? "" : " against " + ctx.holderLabel()));
        }
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.requirement() + ")").toList();
        String message = "refused by the gates: " + String.join("; ", failed);
        Map<String, Object> evidence = new LinkedHashMap<>(out);
        evidence.put("pipeline_run", ctx.runId);
        evidence.put("train_run", ctx.trainRunId);
        ctx.store.alerts().fire(ctx.spec.name(), null, ALERT_RULE, "candidate_refused", "warning",
                ctx.spec.name() + ": candidate of pipeline run " + ctx.runId + " " + message, evidence, Instant.now());
        return StageOutcome.refused(out, message, true);
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        ctx.gatesPassed = Boolean.TRUE.equals(output.get("passed"));
        return null;
    }

    @Override
    public boolean proceeds(Map<String, Object> output) {
        return Boolean.TRUE.equals(output.get("passed"));
    }

    @Override
    public String summary(Map<String, Object> output) {
        return Boolean.TRUE.equals(output.get("passed")) ? "gates passed" : "refused by the gates";
    }

    /**
     * The holder scored on the candidate's own test rows of the new data, as {@code kiln models alias} does; whatever
     * prevents it (a column the holder needs is gone) is a failed check saying why, never a comparison across data.
     */
    private static Gates.Holder holder(RunContext ctx, BundleManifest candidate) {
        if (ctx.holder == null) {
            return new Gates.Holder.None();
        }
        try {
            HeadToHead.SplitSpec spec = HeadToHead.SplitSpec.fromLineage(candidate);
            DataFrame data = DataReader.read(ctx.datasetPath, Target.readOptions(spec.target()));
            return new Gates.Holder.Scored(ctx.holder.version(), HeadToHead.compare(ctx.bundle,
                    ctx.store.registry().bundlePath(ctx.holder), data, spec));
        } catch (KilnException e) {
            return new Gates.Holder.Unscorable(ctx.holder.version(), e.getMessage());
        }
    }

    /** The model's {@code gate.*} tags (none for a model not registered yet). */
    private static Map<String, String> tagGates(RunContext ctx) {
        Map<String, String> gates = new TreeMap<>();
        RegisteredModel m = ctx.store.registry().model(ctx.spec.name()).orElse(null);
        if (m != null) {
            m.tags().forEach((k, v) -> {
                if (k.startsWith("gate.")) {
                    gates.put(k, v);
                }
            });
        }
        return gates;
    }
}
