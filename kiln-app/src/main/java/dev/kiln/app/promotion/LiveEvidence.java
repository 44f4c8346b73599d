package dev.kiln.app.promotion;

import dev.kiln.store.ModelEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What live traffic showed about a candidate version next to the version in production: a shadow scoring copies of the
 * same requests, or a canary answering a share of them. Recorded in the model's history as a {@value #EVENT_TYPE} event
 * of the candidate version (so a later promotion, by a person or by the pipeline, can read it), and read back by the
 * gates: a candidate whose latest evidence is significantly worse does not move.
 *
 * @param source            {@code shadow} or {@code canary}
 * @param requests          live requests the candidate scored
 * @param agreement         share of those where its decision equalled production's; null when not measured
 * @param metric            the labelled metric compared (e.g. {@code accuracy}); null when no labels arrived
 * @param candidate         the candidate's value of {@code metric} on the labelled requests
 * @param production        production's value on the same requests
 * @param labelled          how many requests had labels
 * @param pValue            two-sided p-value of the difference (null when not tested)
 * @param significantlyWorse whether the candidate is worse at the 5% level (the blocking verdict)
 */
public record LiveEvidence(String source, long requests, Double agreement, String metric, Double candidate,
                           Double production, Long labelled, Double pValue, boolean significantlyWorse) {
    public static final String EVENT_TYPE = "live_evidence";

    public Map<String, Object> toDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", source);
        d.put("requests", requests);
        putIfPresent(d, "agreement", agreement);
        putIfPresent(d, "metric", metric);
        putIfPresent(d, "candidate", candidate);
        putIfPresent(d, "production", production);
        putIfPresent(d, "labelled", labelled);
        putIfPresent(d, "p_value", pValue);
        d.put("significantly_worse", significantlyWorse);
        return d;
    }

    /** The evidence an event holds, or empty when the event is not a {@value #EVENT_TYPE} event. */
    public static Optional<LiveEvidence> fromEvent(ModelEvent e) {
        if (!EVENT_TYPE.equals(e.type()) || e.details() == null) {
            return Optional.empty();
        }
        Map<String, Object> d = e.details();
        return Optional.of(new LiveEvidence(String.valueOf(d.get("source")), number(d.get("requests"), 0L).longValue(),
                doubleOrNull(d.get("agreement")), d.get("metric") == null ? null : String.valueOf(d.get("metric")),
                doubleOrNull(d.get("candidate")), doubleOrNull(d.get("production")),
                d.get("labelled") instanceof Number n ? n.longValue() : null, doubleOrNull(d.get("p_value")),
                Boolean.TRUE.equals(d.get("significantly_worse"))));
    }

    /** A version's latest evidence in a model's history (oldest first), if any was recorded. */
    public static Optional<LiveEvidence> latest(List<ModelEvent> history, int version) {
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelEvent e = history.get(i);
            if (e.version() != null && e.version() == version) {
                Optional<LiveEvidence> found = fromEvent(e);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The gates' live evidence check: fails when the candidate's latest shadow or canary found it significantly worse,
     * showing the figures; passes, saying "none recorded", when there is no evidence.
     */
    public static Gates.Check check(Optional<LiveEvidence> evidence) {
        if (evidence.isEmpty()) {
            return new Gates.Check("live evidence", null, "none recorded", true);
        }
        LiveEvidence e = evidence.get();
        StringBuilder figures = new StringBuilder(e.significantlyWorse() ? "significantly worse: " : "not significantly worse: ");
        if (e.metric() != null && e.candidate() != null && e.production() != null) {
            figures.append(String.format(Locale.ROOT, "%s %.4f vs production %.4f", e.metric(), e.candidate(), e.production()));
        } else {
            figures.append("no labelled comparison");
        }
        if (e.labelled() != null) {
            figures.append(", ").append(e.labelled()).append(" labelled");
        }
        if (e.pValue() != null) {
            // Two significant digits, plain: p = 0.0003, not 3.000e-04.
            figures.append(", p = ").append(new java.math.BigDecimal(e.pValue()).round(new java.math.MathContext(2))
                    .stripTrailingZeros().toPlainString());
        }
        if (e.agreement() != null) {
            figures.append(String.format(Locale.ROOT, ", agreement %.3f", e.agreement()));
        }
        figures.append(" over ").append(e.requests()).append(" requests");
        return new Gates.Check("live evidence (" + e.source() + ")", e.candidate(), e.production(), figures.toString(),
                !e.significantlyWorse());
    }

    private static void putIfPresent(Map<String, Object> d, String key, Object value) {
        if (value != null) {
            d.put(key, value);
        }
    }

    private static Number number(Object o, Number fallback) {
        return o instanceof Number n ? n : fallback;
    }

    private static Double doubleOrNull(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }
}
