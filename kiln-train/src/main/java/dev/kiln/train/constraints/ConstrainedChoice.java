package dev.kiln.train.constraints;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Chooses the model: the best candidate by the selection metric among those that meet every constraint; when none
 * does, refuses with {@link ErrorCode#CONSTRAINTS_UNMET} (exit 4), naming each constraint no candidate met and how
 * close the nearest came.
 *
 * <p>The baseline (a constant: the prior or the mean) is a reference, not a model to ship: as without constraints,
 * it is chosen only when it is the only candidate. Under constraints it always meets latency and size, so letting it
 * win would turn "no model meets your limits" into a silent constant; instead the refusal says that only the
 * baseline meets them. Its violations are still reported and it stays on the Pareto front.
 */
public final class ConstrainedChoice {
    /**
     * @param chosen     index of the chosen candidate
     * @param violations per candidate, the constraints it breaks ({@code p99 71.3 µs > 50 µs}); empty when it meets
     *                   them all. For the leaderboard.
     */
    public record Choice(int chosen, List<List<String>> violations) {
        public Choice {
            violations = violations.stream().map(List::copyOf).toList();
        }
    }

    private ConstrainedChoice() {
    }

    /**
     * @param baselineIndex the baseline's index in {@code candidates}, or -1 when there is none
     * @throws KilnException {@link ErrorCode#CONSTRAINTS_UNMET} when no candidate that may be chosen meets every
     *                       constraint; its details hold {@code constraints}: per unmet constraint {@code option,
     *                       limit, nearest_candidate, nearest_value}, and {@code violations}: per candidate name its list
     */
    public static Choice choose(List<CandidateFacts> candidates, Constraints constraints, int baselineIndex) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates to choose from");
        }
        List<List<String>> violations = new ArrayList<>();
        for (CandidateFacts c : candidates) {
            violations.add(violations(c, constraints));
        }
        List<Integer> choosable = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (i != baselineIndex || candidates.size() == 1) {
                choosable.add(i);
            }
        }
        int chosen = -1;
        for (int i : choosable) {
            if (violations.get(i).isEmpty() && (chosen < 0 || better(candidates.get(i), candidates.get(chosen)))) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            throw unmet(candidates, constraints, baselineIndex, choosable, violations);
        }
        return new Choice(chosen, violations);
    }

    /** The constraints {@code c} breaks, worded for the leaderboard. */
    public static List<String> violations(CandidateFacts c, Constraints k) {
        List<String> v = new ArrayList<>();
        if (k.maxLatencyMicros() != null && !(c.p99LatencyMicros() <= k.maxLatencyMicros())) {
            v.add(Double.isNaN(c.p99LatencyMicros()) ? "p99 latency not measured"
                    : "p99 " + ChoiceWording.micros(c.p99LatencyMicros()) + " > " + ChoiceWording.micros(k.maxLatencyMicros()));
        }
        if (k.maxBundleBytes() != null && c.bundleBytes() > k.maxBundleBytes()) {
            v.add("bundle " + ChoiceWording.kilobytes(c.bundleBytes()) + " > " + ChoiceWording.kilobytes(k.maxBundleBytes()));
        }
        if (k.maxTrainSeconds() != null && !(c.trainSeconds() <= k.maxTrainSeconds())) {
            v.add("trained in " + ChoiceWording.seconds(c.trainSeconds()) + " > " + ChoiceWording.seconds(k.maxTrainSeconds()));
        }
        if (k.interpretable() && !c.interpretable()) {
            v.add("not interpretable");
        }
        if (!k.monotone().isEmpty() && !c.honoursMonotone()) {
            v.add("does not honour --monotone");
        }
        return v;
    }

    /** Strictly better by the metric; a NaN metric is worse than any number (ties keep the earlier candidate). */
    private static boolean better(CandidateFacts candidate, CandidateFacts incumbent) {
        if (Double.isNaN(candidate.metric())) {
            return false;
        }
        if (Double.isNaN(incumbent.metric())) {
            return true;
        }
        return candidate.higherIsBetter() ? candidate.metric() > incumbent.metric() : candidate.metric() < incumbent.metric();
    }

    private static KilnException unmet(List<CandidateFacts> candidates, Constraints k, int baselineIndex,
                                       List<Integer> choosable, List<List<String>> violations) {
        List<String> parts = new ArrayList<>();
        List<Map<String, Object>> unmet = new ArrayList<>();
        if (k.maxLatencyMicros() != null) {
            nearest(candidates, choosable, CandidateFacts::p99LatencyMicros, k.maxLatencyMicros()).ifPresent(n -> {
                parts.add("--max-latency-us " + ChoiceWording.number(k.maxLatencyMicros()) + (n.name() == null
                        ? ": no candidate's latency could be measured"
                        : ": the fastest, " + n.name() + ", answers in " + ChoiceWording.micros(n.value()) + " at p99 ("
                        + ChoiceWording.ratio(n.value(), k.maxLatencyMicros()) + " the limit)"));
                unmet.add(detail("--max-latency-us", k.maxLatencyMicros(), n));
            });
        }
        if (k.maxBundleBytes() != null) {
            double limit = k.maxBundleBytes();
            nearest(candidates, choosable, c -> (double) c.bundleBytes(), limit).ifPresent(n -> {
                parts.add("--max-bundle-kb " + ChoiceWording.number(limit / Constraints.KB) + ": the smallest, " + n.name()
                        + ", is " + ChoiceWording.kilobytes(n.value()) + " (" + ChoiceWording.ratio(n.value(), limit)
                        + " the limit)");
                unmet.add(detail("--max-bundle-kb", limit / Constraints.KB,
                        new Nearest(n.name(), n.value() / Constraints.KB)));
            });
        }
        if (k.maxTrainSeconds() != null) {
            nearest(candidates, choosable, CandidateFacts::trainSeconds, k.maxTrainSeconds()).ifPresent(n -> {
                parts.add("--max-train-seconds " + ChoiceWording.number(k.maxTrainSeconds()) + ": the quickest, "
                        + n.name() + ", trained in " + ChoiceWording.seconds(n.value()) + " ("
                        + ChoiceWording.ratio(n.value(), k.maxTrainSeconds()) + " the limit)");
                unmet.add(detail("--max-train-seconds", k.maxTrainSeconds(), n));
            });
        }
        if (k.interpretable() && choosable.stream().noneMatch(i -> candidates.get(i).interpretable())) {
            parts.add("--interpretable: no candidate is interpretable (" + names(candidates, choosable) + ")");
            unmet.add(detail("--interpretable", true, null));
        }
        if (!k.monotone().isEmpty() && choosable.stream().noneMatch(i -> candidates.get(i).honoursMonotone())) {
            parts.add("--monotone: no candidate honours it (" + names(candidates, choosable) + ")");
            unmet.add(detail("--monotone", k.monotone(), null));
        }
        String message;
        if (parts.isEmpty()) {
            // Each constraint is met by some candidate, but never all by the same one.
            List<String> each = new ArrayList<>();
            for (int i : choosable) {
                each.add(candidates.get(i).name() + ": " + String.join(", ", violations.get(i)));
            }
            message = "no candidate meets every constraint at once: " + String.join("; ", each);
        } else {
            message = "no candidate meets every constraint: " + String.join("; ", parts);
        }
        if (baselineIndex >= 0 && !choosable.contains(baselineIndex) && violations.get(baselineIndex).isEmpty()) {
            message += "; only the baseline (a constant prediction) meets them, and it is not chosen as a model";
        }
        Map<String, Object> byCandidate = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            byCandidate.put(candidates.get(i).name(), violations.get(i));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("constraints", unmet);
        details.put("violations", byCandidate);
        return new KilnException(ErrorCode.CONSTRAINTS_UNMET, message, details);
    }

    private record Nearest(String name, double value) {
    }

    /** The choosable candidate with the smallest value, when even it is over the limit (the constraint is unmet). */
    private static java.util.Optional<Nearest> nearest(List<CandidateFacts> candidates, List<Integer> choosable,
                                                       ToDoubleFunction<CandidateFacts> value, double limit) {
        Nearest best = null;
        for (int i : choosable) {
            double v = value.applyAsDouble(candidates.get(i));
            if (!Double.isNaN(v) && (best == null || v < best.value())) {
                best = new Nearest(candidates.get(i).name(), v);
            }
        }
        if (best != null && best.value() <= limit) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(best == null ? new Nearest(null, Double.NaN) : best);
    }

    private static Map<String, Object> detail(String option, Object limit, Nearest nearest) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("option", option);
        d.put("limit", limit);
        d.put("nearest_candidate", nearest == null ? null : nearest.name());
        d.put("nearest_value", nearest == null || Double.isNaN(nearest.value()) ? null : nearest.value());
        return d;
    }

    private static String names(List<CandidateFacts> candidates, List<Integer> choosable) {
        return "trained: " + String.join(", ", choosable.stream().map(i -> candidates.get(i).name()).toList());
    }
}
