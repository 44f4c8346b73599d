package dev.kiln.app.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The canary phase: the candidate answers a growing share of live requests ({@code PUT .../canary} with steps and an
 * interval); the server compares it with production over each interval and advances or rolls it back
 * ({@code traffic/CanaryRollout}). This follows it through the repository index, one {@code rollout_step} event per
 * step reached, until the last step is reached ({@link End#COMPLETE}, the canary still serving at its last share) or
 * the server rolls it back ({@link End#ROLLED_BACK}, with the server's reason).
 */
final class RolloutCanary {
    enum End { COMPLETE, ROLLED_BACK }

    /** How the canary ended, the server's reason, and its last figures. */
    record Result(End end, String reason, Map<String, Object> figures) {
    }

    private RolloutCanary() {
    }

    static Result run(Rollout.Context c) throws InterruptedException {
        RolloutPlan plan = c.plan();
        ServeAdminClient server = c.server();
        String v = Integer.toString(c.version());
        Instant started = c.journal().now();
        c.footprint().canary = true; // before the call: a PUT whose answer is lost may still have placed it
        JsonNode put;
        try {
            put = server.putCanary(c.model(), c.model() + ":" + v, plan.canarySteps(), plan.canaryInterval());
        } catch (KilnException e) {
            c.footprint().canary = e.code() == ErrorCode.UNAVAILABLE; // refused: nothing placed, and not ours to remove
            throw e;
        }
        c.journal().step("canary", "version " + v + " answers " + put.path("percent").asDouble() + "% of " + c.model()
                + "'s requests; steps " + plan.canarySteps() + "% every " + plan.canaryInterval().toMillis() / 1000.0 + "s", false,
                Map.of("steps", plan.canarySteps(), "interval_seconds", plan.canaryInterval().toMillis() / 1000.0,
                        "percent", put.path("percent").asDouble()));
        Instant deadline = started.plus(plan.canaryWait());
        int step = 0;
        String lastReason = "";
        while (true) {
            JsonNode entry = server.entry(c.model()).orElseThrow(() -> lost(c, "it no longer serves " + c.model()));
            JsonNode canary = entry.get("canary");
            JsonNode rollout = canary != null ? canary.get("rollout") : entry.get("canary_rollout");
            boolean ours = rollout != null && v.equals(rollout.path("canary_version").asText());
            String state = ours ? rollout.path("state").asText() : "";
            if (ours) {
                lastReason = rollout.path("reason").asText();
                int now = rollout.path("step").asInt();
                for (int s = step + 1; s <= now && canary != null; s++) {
                    c.journal().step("canary_step", "version " + v + " advanced to " + plan.canarySteps().get(s) + "%: " + lastReason,
                            false, figures(c, rollout, entry));
                }
                step = Math.max(step, now);
            }
            if (canary != null && ours && state.equals("complete")) {
                c.journal().step("canary_complete", "version " + v + " reached its last step (" + rollout.path("percent").asDouble()
                        + "%): " + lastReason, false, figures(c, rollout, entry));
                return new Result(End.COMPLETE, lastReason, figures(c, rollout, entry));
            }
            if (canary == null && ours && state.equals("rolled_back")) {
                c.footprint().canary = false; // the server removed it
                return new Result(End.ROLLED_BACK, "kiln serve rolled back canary version " + v + " at " + rollout.path("percent").asDouble()
                        + "%: " + lastReason, figures(c, rollout, entry));
            }
            // Gone without a rollback of ours (a moment after a rollback the canary is gone and its state not yet written).
            if (canary == null && !(ours && state.equals("running"))) {
                throw lost(c, ours ? "its rollout " + state + ": " + lastReason : "it has no canary and no rollout of version " + v);
            }
            if (canary != null && !v.equals(canary.path("version").asText())) {
                throw lost(c, "it has version " + canary.path("version").asText() + " as canary");
            }
            if (!c.journal().now().isBefore(deadline)) {
                throw new KilnException(ErrorCode.UNAVAILABLE, "canary version " + v + " did not reach its last step in "
                        + plan.canaryWait().toSeconds() + "s (at step " + (step + 1) + " of " + plan.canarySteps().size() + ": " + lastReason
                        + "): too little traffic, or a server that keeps holding", Map.of("url", server.url().toString()));
            }
            c.pause();
        }
    }

    /** The rollout's status and, from /metrics, the requests the canary and production answered so far by outcome. */
    private static Map<String, Object> figures(Rollout.Context c, JsonNode rollout, JsonNode entry) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("canary_version", rollout.path("canary_version").asText());
        f.put("production_version", entry.path("version").asText());
        f.put("canary_step", rollout.path("step").asInt());
        f.put("percent", rollout.path("percent").asDouble());
        f.put("state", rollout.path("state").asText());
        f.put("server_reason", rollout.path("reason").asText());
        f.put("canary_requests", c.server().requests(c.model(), rollout.path("canary_version").asText()));
        f.put("production_requests", c.server().requests(c.model(), entry.path("version").asText()));
        return f;
    }

    /** The server lost the canary (restarted, or someone changed it): the rollout cannot follow it. */
    private static KilnException lost(Rollout.Context c, String what) {
        c.footprint().canary = false; // nothing of ours left to remove
        return new KilnException(ErrorCode.CONFLICT, "kiln serve at " + c.server().url() + " lost the canary of " + c.model()
                + " (restarted, or changed by someone else): " + what, Map.of("url", c.server().url().toString()));
    }
}
