package dev.kiln.app.pipeline;

import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Promote: the registered candidate takes the alias through the declared rollout. {@code direct} moves the alias
 * through the gates ({@link Promotion#moveAlias}), recorded in the model's history with the gate table; a {@code kiln
 * serve} following the alias swaps it in. {@code none} registers only.
 */
final class PromoteStage implements StageWork {
    @Override
    public Stage stage() {
        return Stage.PROMOTE;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("version", ctx.spec.name() + ":" + ctx.version);
        parts.put("config", StageKey.hashOf(ctx.section("promote") + "\n" + ctx.section("rollout") + "\n" + ctx.section("gates")));
        return StageKey.of("promote", parts);
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        PipelineSpec.Promote p = ctx.spec.promote();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("alias", p.alias());
        out.put("version", ctx.version);
        out.put("rollout", p.rollout());
        if (p.registersOnly()) {
            out.put("moved", false);
            return StageOutcome.done(out, "rollout: none, " + ctx.spec.name() + ":" + ctx.version + " registered only");
        }
        Integer current = ctx.store.registry().model(ctx.spec.name()).orElseThrow().aliases().get(p.alias());
        if (current != null && current.equals(ctx.version)) {
            out.put("moved", false);
            return StageOutcome.done(out, ctx.spec.name() + "@" + p.alias() + " is already version " + ctx.version);
        }
        if (!"direct".equals(p.rollout())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, ctx.spec.file() + ": promote.rollout: '" + p.rollout()
                    + "' needs the automatic rollout, which this build does not have yet; use direct",
                    Map.of("key", "promote.rollout"));
        }
        Promotion.Outcome o = Promotion.moveAlias(ctx.store.registry(), ctx.spec.name(), p.alias(), ctx.version,
                policy(ctx.spec), false, "kiln pipeline run " + ctx.runId, ctx.actor);
        out.put("moved", o.moved());
        out.put("from", o.from());
        out.put("checks", o.checks().stream().map(Gates.Check::toDetails).toList());
        if (!o.moved()) {
            List<String> failed = o.checks().stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.requirement() + ")")
                    .toList();
            return StageOutcome.refused(out, "the alias did not move: " + String.join("; ", failed), false);
        }
        return StageOutcome.done(out, ctx.spec.name() + "@" + p.alias() + " -> version " + ctx.version
                + (o.from() == null ? "" : " (was " + o.from() + ")"));
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        // Reused even when the alias has moved since: a person's rollback is not undone by the next run
        // (kiln pipeline run --force promote does that on purpose).
        return null;
    }

    @Override
    public String summary(Map<String, Object> output) {
        return Boolean.TRUE.equals(output.get("moved")) ? "@" + output.get("alias") + " -> " + output.get("version")
                : "alias unchanged";
    }

    static Promotion.Policy policy(PipelineSpec spec) {
        return new Promotion.Policy(spec.gates().thresholds(), spec.gates().minLift(), spec.gates().maxRegression());
    }
}
