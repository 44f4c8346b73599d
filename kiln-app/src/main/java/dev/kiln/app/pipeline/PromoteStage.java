package dev.kiln.app.pipeline;

import dev.kiln.app.promotion.AdminToken;
import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.app.promotion.Rollout;
import dev.kiln.app.promotion.RolloutPlan;
import dev.kiln.app.promotion.RolloutResult;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
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
        if (ctx.spec.rollout() != null) {
            return rollout(ctx, out, current);
        }
        Promotion.Outcome o = Promotion.moveAlias(ctx.store.registry(), ctx.spec.name(), p.alias(), ctx.version,
                policy(ctx.spec), false, "kiln pipeline run " + ctx.runId, ctx.actor);
        out.put("moved", o.moved());
        out.put("from", o.from());
        out.put("checks", o.checks().stream().map(Gates.Check::toDetails).toList());
        if (!o.moved()) {
            return StageOutcome.refused(out, "the alias did not move: " + failed(o.checks()), false);
        }
        return StageOutcome.done(out, ctx.spec.name() + "@" + p.alias() + " -> version " + ctx.version
                + (o.from() == null ? "" : " (was " + o.from() + ")"));
    }

    /**
     * Through the running {@code kiln serve} the rollout section names: {@code direct} moves the alias and waits until
     * the server answers with the version; {@code shadow-canary} shadows it on live traffic, then canaries it, then moves
     * the alias ({@link Rollout}, every step in the model's history). A refusal or rollback leaves production as it was;
     * a rollout that cannot go on (the server down past the wait) fails the run with its code, having undone its steps.
     */
    private static StageOutcome rollout(RunContext ctx, Map<String, Object> out, Integer current) {
        PipelineSpec.Rollout r = ctx.spec.rollout();
        AdminToken token = AdminToken.read(r.adminTokenFile(), ctx.spec.file() + ": rollout.admin_token_file", System::getenv);
        // The first version has nothing in production to be shadowed against or to share traffic with.
        RolloutPlan.Kind kind = current == null ? RolloutPlan.Kind.DIRECT
                : RolloutPlan.Kind.parse(ctx.spec.promote().rollout(), "promote.rollout");
        out.put("rollout", kind == RolloutPlan.Kind.DIRECT ? "direct" : "shadow-canary");
        RolloutPlan plan = RolloutPlan.defaults(kind, URI.create(r.serve()), token.value(), token.source())
                .withShadow(r.shadowRequests(), r.minAgreement(), r.minLabelled(), r.maxWait())
                .withCanary(r.canarySteps().stream().map(Integer::doubleValue).toList(),
                        Duration.ofSeconds(r.canaryIntervalSeconds()),
                        RolloutPlan.canaryWaitFor(r.canarySteps().stream().map(Integer::doubleValue).toList(),
                                Duration.ofSeconds(r.canaryIntervalSeconds())))
                .withLogDir(r.logDir())
                .withActor(ctx.actor);
        RolloutResult result = Rollout.run(ctx.store, ctx.spec.name(), ctx.spec.promote().alias(), ctx.version,
                policy(ctx.spec), plan, Clock.systemUTC(), line -> ctx.progress.onStep(line, 0, 0));
        out.put("moved", result.outcome() == RolloutResult.Outcome.PROMOTED);
        out.put("from", current);
        out.put("rollout_result", result.toMap());
        if (result.leadTime() != null) {
            out.put("answering_after_seconds", result.leadTime().toMillis() / 1000.0);
        }
        switch (result.outcome()) {
            case PROMOTED -> {
                return StageOutcome.done(out, ctx.spec.name() + "@" + ctx.spec.promote().alias() + " -> version " + ctx.version
                        + (current == null ? "" : " (was " + current + ")") + " through " + out.get("rollout")
                        + "; " + r.serve() + " answers with it");
            }
            case REFUSED, ROLLED_BACK -> {
                return StageOutcome.refused(out, "rollout " + result.outcome().name().toLowerCase(java.util.Locale.ROOT)
                        + ": " + result.reason(), false);
            }
            default -> throw new KilnException(result.error() == null ? ErrorCode.UNAVAILABLE : result.error(),
                    "rollout failed: " + result.reason(), Map.of("serve", r.serve()));
        }
    }

    private static String failed(List<Gates.Check> checks) {
        return String.join("; ", checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.requirement() + ")").toList());
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
