package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Rollout} did.
 *
 * @param model      the registered model
 * @param alias      the alias it moves
 * @param version    the candidate
 * @param from       the alias's holder before (null when it had none)
 * @param outcome    where it ended
 * @param reason     why, in a sentence (what was refused, rolled back or failed, and what was undone)
 * @param error      for {@link Outcome#FAILED}: the error's code (UNAVAILABLE when the server could not be reached,
 *                   UNAUTHENTICATED/FORBIDDEN when it refused the token, ...); null otherwise
 * @param steps      each step taken, in order, with its figures (also recorded as {@code rollout_step} events)
 * @param evidence   what the shadow showed, when it ran
 * @param started    when the rollout began
 * @param answered   when the server first answered with the candidate as the alias's version (the lead time's end);
 *                   null unless promoted
 */
public record RolloutResult(String model, String alias, int version, Integer from, Outcome outcome, String reason, ErrorCode error,
                            List<Step> steps, LiveEvidence evidence, Instant started, Instant answered) {

    public enum Outcome {
        /** The alias moved and the server answers with the candidate. */
        PROMOTED,
        /** The gates or the shadow's evidence refused the candidate; production untouched. */
        REFUSED,
        /** The server rolled the canary back; production untouched. */
        ROLLED_BACK,
        /** The rollout could not go on (server unreachable, token refused, a phase timed out, state lost); undone. */
        FAILED
    }

    /**
     * One step: its name ({@code gates}, {@code shadow}, {@code evidence}, {@code canary}, {@code promote},
     * {@code answering}, ...), when, whether a person forced it, and its figures.
     */
    public record Step(String name, Instant at, boolean forced, String summary, Map<String, Object> figures) {
        public Step {
            figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        }
    }

    public RolloutResult {
        steps = List.copyOf(steps);
    }

    /** From start to the server answering with the candidate; null unless promoted. */
    public Duration leadTime() {
        return answered == null ? null : Duration.between(started, answered);
    }

    /** The result as JSON-ready values (the CLI's --json, a pipeline's run record). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("alias", alias);
        m.put("version", version);
        m.put("from", from);
        m.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        m.put("reason", reason);
        if (error != null) {
            m.put("error", error.name().toLowerCase(java.util.Locale.ROOT));
        }
        m.put("started", started.toString());
        if (answered != null) {
            m.put("answered", answered.toString());
            m.put("lead_time_ms", leadTime().toMillis());
        }
        if (evidence != null) {
            m.put("evidence", evidence.toDetails());
        }
        m.put("steps", steps.stream().map(s -> {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("name", s.name());
            st.put("at", s.at().toString());
            st.put("forced", s.forced());
            st.put("summary", s.summary());
            st.put("figures", s.figures());
            return st;
        }).toList());
        return m;
    }
}
