package dev.kiln.serve.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.traffic.CanaryRollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code PUT /v2/repository/models/{name}/canary}: {@code {"ref": REF, "percent": P}} (either may be left
 * out: no ref changes the share of the canary there, no percent keeps it), or a rollout ({@code "steps"}: percents,
 * {@code "interval_seconds"}, default 60) instead of a percent. Every refusal names the field.
 *
 * @param ref   the canary to serve, or null to keep the one there
 * @param share the share to give it (percent), or null for the canary's current share, else the default
 * @param plan  the progressive rollout asked for, or null
 */
record CanaryRequest(String ref, Double share, CanaryRollout.Plan plan) {
    private static final Set<String> FIELDS = Set.of("ref", "percent", "steps", "interval_seconds");

    /** Whether the share was set by hand (which ends a rollout in progress). */
    boolean setsByHand() {
        return plan == null && (share != null || ref != null);
    }

    static CanaryRequest of(JsonNode body) {
        if (!body.isObject()) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "the body is a JSON object: {\"ref\": REF, \"percent\": P}", Map.of());
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "unknown field \"" + f + "\": a canary takes \"ref\", \"percent\", "
                        + "\"steps\" and \"interval_seconds\"", Map.of("field", f));
            }
        }
        JsonNode ref = body.get("ref");
        JsonNode percent = body.get("percent");
        if (ref != null && !ref.isTextual()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"ref\" must be a registry reference or an absolute bundle directory, as a string",
                    Map.of("field", "ref"));
        }
        if (percent != null && !percent.isNumber()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"percent\" must be a number from 0 to 100", Map.of("field", "percent"));
        }
        if (ref == null && percent == null && body.get("steps") == null) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "name the canary (\"ref\"), its share (\"percent\") or its rollout "
                    + "(\"steps\")", Map.of("field", "ref"));
        }
        CanaryRollout.Plan plan = plan(body);
        if (plan != null && percent != null) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "give \"percent\" or \"steps\": a rollout sets the share itself",
                    Map.of("field", "percent"));
        }
        Double share = percent != null ? Double.valueOf(percent.asDouble()) : plan != null ? Double.valueOf(plan.steps().get(0) / 100.0) : null;
        return new CanaryRequest(ref == null ? null : ref.asText(), share, plan);
    }

    /** The rollout a canary body asks for ({@code "steps"}: percents; {@code "interval_seconds"}, default 60), or null. */
    private static CanaryRollout.Plan plan(JsonNode body) {
        JsonNode steps = body.get("steps");
        JsonNode interval = body.get("interval_seconds");
        if (steps == null) {
            if (interval != null) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "\"interval_seconds\" goes with \"steps\"", Map.of("field", "interval_seconds"));
            }
            return null;
        }
        if (!steps.isArray() || steps.isEmpty()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"steps\" must be a non-empty array of percentages, e.g. [5, 25, 50, 100]",
                    Map.of("field", "steps"));
        }
        List<Double> percents = new ArrayList<>();
        for (JsonNode p : steps) {
            if (!p.isNumber()) {
                throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"steps\" holds numbers, not " + p, Map.of("field", "steps"));
            }
            percents.add(p.asDouble());
        }
        if (interval != null && (!interval.isNumber() || !(interval.asDouble() > 0))) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"interval_seconds\" must be a positive number", Map.of("field", "interval_seconds"));
        }
        double seconds = interval == null ? 60 : interval.asDouble();
        return CanaryRollout.Plan.of(percents, Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
    }
}
