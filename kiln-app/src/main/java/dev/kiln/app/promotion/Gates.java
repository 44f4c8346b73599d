package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.Metrics;
import dev.kiln.train.eval.Slices;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Promotion gates for protected aliases. A candidate version must pass every check:
 * <ul>
 *   <li>absolute thresholds ({@code roc_auc>=0.70}, {@code cost_per_1000<=700}) from the model's {@code gate.<metric>} tags
 *       and the caller's rules; a fairness gap of the candidate's slices is named {@code fairness.<column>.<gap>}
 *       ({@code fairness.age.parity_difference<=0.2}) and needs the candidate trained with {@code --slice-by column}. A rule
 *       naming a metric the candidate's task does not have is refused ({@link #validate}), not a failed check;</li>
 *   <li>lift over the baseline of its own training run on the selection metric (at least {@code minLift});</li>
 *   <li>not worse than the alias's current holder by more than {@code maxRegression} on that metric, both scored on the
 *       same rows ({@link HeadToHead}); when there is a holder, the thresholds read those figures too;</li>
 *   <li>no live evidence (shadow or canary, {@link LiveEvidence}) that it is significantly worse than production.</li>
 * </ul>
 * Without a holder the thresholds read the test metrics recorded in the candidate's manifest.
 */
public final class Gates {
    public static final Set<String> PROTECTED_ALIASES = Set.of("production");
    /** Model tag listing more protected aliases, comma-separated (production always is). */
    public static final String PROTECTED_ALIASES_TAG = "protected_aliases";
    private static final Pattern RULE = Pattern.compile("\\s*([a-z0-9_]+|fairness\\.[^\\s<>=]+\\.[a-z_]+)\\s*(>=|<=|>|<)\\s*([-+0-9.eE]+)\\s*");
    public static final String FAIRNESS = "fairness.";
    public static final String GATE_TAG_PREFIX = "gate.";

    /**
     * One row of the gate table.
     *
     * @param value       the candidate's figure (null when there is none)
     * @param holderValue the current holder's figure on the same rows, when it was scored (null otherwise)
     */
    public record Check(String name, Double value, Double holderValue, String requirement, boolean passed) {
        public Check(String name, Double value, String requirement, boolean passed) {
            this(name, value, null, requirement, passed);
        }

        /** As recorded in the {@code alias_set} event and answered over HTTP: {name, value, holder_value, requirement, passed}. */
        public Map<String, Object> toDetails() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("value", finite(value));
            m.put("holder_value", finite(holderValue));
            m.put("requirement", requirement);
            m.put("passed", passed);
            return m;
        }

        private static Double finite(Double v) {
            return v == null || v.isNaN() || v.isInfinite() ? null : v;
        }
    }

    public record Threshold(String metric, String op, double bound) {
        boolean test(double v) {
            return switch (op) {
                case ">=" -> v >= bound;
                case "<=" -> v <= bound;
                case ">" -> v > bound;
                default -> v < bound;
            };
        }

        @Override
        public String toString() {
            return metric + " " + op + " " + formatBound(bound);
        }
    }

    /**
     * Who holds the alias now, as the gates see it.
     */
    public sealed interface Holder {
        /** Nobody, or the candidate itself: no head-to-head check. */
        record None() implements Holder {
        }

        /** Scored next to the candidate on the candidate's test rows. */
        record Scored(int version, HeadToHead.Result result) implements Holder {
        }

        /** Could not be scored on those rows ({@code why} says precisely why): the head-to-head check fails. */
        record Unscorable(int version, String why) implements Holder {
        }
    }

    /** Whether moving {@code alias} of a model with these tags must pass the gates. */
    public static boolean isProtected(Map<String, String> modelTags, String alias) {
        if (PROTECTED_ALIASES.contains(alias)) {
            return true;
        }
        String declared = modelTags.getOrDefault(PROTECTED_ALIASES_TAG, "");
        for (String a : declared.split(",")) {
            if (a.trim().equals(alias)) {
                return true;
            }
        }
        return false;
    }

    public static Threshold parse(String rule) {
        Matcher m = RULE.matcher(rule);
        if (!m.matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "gate '" + rule + "' is not METRIC>=VALUE (or <=, >, <), e.g. roc_auc>=0.70 or fairness.age.parity_difference<=0.1");
        }
        try {
            return new Threshold(m.group(1), m.group(2), Double.parseDouble(m.group(3)));
        } catch (NumberFormatException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "gate '" + rule + "': '" + m.group(3) + "' is not a number");
        }
    }

    /** Thresholds declared as model tags {@code gate.<metric> = ">=0.70"}, by tag name. */
    public static Map<String, Threshold> fromTags(Map<String, String> tags) {
        Map<String, Threshold> out = new TreeMap<>();
        tags.forEach((k, v) -> {
            if (k.startsWith(GATE_TAG_PREFIX)) {
                out.put(k, parse(k.substring(GATE_TAG_PREFIX.length()) + v));
            }
        });
        return out;
    }

    /** The metrics a rule may name for a model of this task (with a cost matrix: also {@code cost_per_1000}). */
    public static List<String> metricNames(Task task, boolean hasCost) {
        List<String> names = new ArrayList<>(Metrics.names(task));
        if (hasCost && task == Task.BINARY) {
            names.add(BusinessCost.COST_PER_1000);
        }
        return names;
    }

    /** {@link #validate(List, Task, boolean, String)} for rules from the caller (command line, API, pipeline file). */
    public static void validate(List<Threshold> rules, Task task, boolean hasCost) {
        validate(rules, task, hasCost, "gate");
    }

    /**
     * Refuses (invalid_argument) a rule whose metric a model of this task does not report, naming the rule, where it
     * came from ({@code origin}, e.g. {@code model tag 'gate.roc_acu'}) and the valid metrics; a fairness rule must
     * name one of {@link Slices#GAPS} of a binary model. A typo would otherwise be a gate that can never pass.
     */
    public static void validate(List<Threshold> rules, Task task, boolean hasCost, String origin) {
        List<String> valid = metricNames(task, hasCost);
        for (Threshold t : rules) {
            String problem = problem(t.metric(), task, hasCost, valid);
            if (problem != null) {
                String form = task == Task.BINARY ? ", or " + FAIRNESS + "<column>.<gap> with <gap> one of "
                        + String.join(", ", Slices.GAPS) : "";
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("rule", t.toString());
                details.put("origin", origin);
                details.put("task", task.wireName());
                details.put("valid_metrics", valid);
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, origin + " '" + t + "': " + problem + "; a "
                        + task.wireName() + " model's gates may name " + String.join(", ", valid) + form, details);
            }
        }
    }

    private static String problem(String metric, Task task, boolean hasCost, List<String> valid) {
        if (metric.startsWith(FAIRNESS)) {
            if (task != Task.BINARY) {
                return "fairness gaps are measured for binary models only";
            }
            String gap = metric.substring(metric.lastIndexOf('.') + 1);
            return Slices.GAPS.contains(gap) ? null : "unknown fairness gap '" + gap + "'";
        }
        if (valid.contains(metric)) {
            return null;
        }
        if (metric.equals(BusinessCost.COST_PER_1000) && task == Task.BINARY && !hasCost) {
            return "the candidate has no " + metric + ": it was trained without a cost matrix (--cost-fp, --cost-fn)";
        }
        return "unknown metric '" + metric + "'";
    }

    /**
     * The checks of a candidate, in table order: thresholds, lift over its baseline, head to head with the holder, live
     * evidence. Pure: the caller has validated the thresholds, scored the holder and read the evidence.
     *
     * @param candidate the candidate's manifest (its test metrics, baseline metrics and slices)
     * @param holder    the alias's current holder
     * @param live      the candidate's latest live evidence, if any
     */
    @SuppressWarnings("unchecked")
    public static List<Check> evaluate(BundleManifest candidate, Holder holder, List<Threshold> thresholds, double minLift,
                                       double maxRegression, Optional<LiveEvidence> live) {
        List<Check> checks = new ArrayList<>();
        HeadToHead.Result same = holder instanceof Holder.Scored s ? s.result() : null;
        Map<String, Double> metrics = same != null ? same.candidate() : candidate.testMetrics();
        Map<String, Double> held = same != null ? same.holder() : Map.of();
        for (Threshold t : thresholds) {
            if (t.metric().startsWith(FAIRNESS)) {
                checks.add(fairness(candidate, t));
                continue;
            }
            Double v = metrics.get(t.metric());
            checks.add(new Check(t.metric(), v, held.get(t.metric()), t.toString(), v != null && !v.isNaN() && t.test(v)));
        }
        String key = candidate.extra() == null ? null : (String) candidate.extra().get("selection_metric");
        if (key == null) {
            checks.add(new Check("selection metric", null, "recorded in the bundle", false));
            checks.add(LiveEvidence.check(live));
            return checks;
        }
        boolean lower = Metrics.lowerIsBetter(key);
        Double v = candidate.testMetrics().get(key);
        Map<String, Object> baseline = (Map<String, Object>) candidate.extra().get("baseline_metrics");
        Double base = baseline == null ? null : ((Map<String, Double>) baseline.get("test")).get(key);
        if (base != null && v != null) {
            double lift = lower ? base - v : v - base;
            checks.add(new Check(key + " lift over baseline", lift, String.format(Locale.ROOT, "%s %.4f (baseline %.4f)",
                    minLift > 0 ? ">=" : ">", minLift, base), minLift > 0 ? lift >= minLift : lift > 0));
        } else {
            checks.add(new Check(key + " lift over baseline", null, "baseline metrics in the bundle", false));
        }
        String name = key + " vs current holder";
        if (holder instanceof Holder.Scored s) {
            Double c = same.candidate().get(key);
            Double h = same.holder().get(key);
            if (c == null || h == null || c.isNaN() || h.isNaN()) {
                checks.add(new Check(name, c, h, "both defined on the same " + same.rows() + " test rows", false));
            } else {
                double regression = lower ? c - h : h - c;
                checks.add(new Check(name, c, h, String.format(Locale.ROOT, "%s %.4f (holder v%d on the same %d test rows, margin %.4f)",
                        lower ? "<=" : ">=", lower ? h + maxRegression : h - maxRegression, s.version(), same.rows(), maxRegression),
                        regression <= maxRegression));
            }
        } else if (holder instanceof Holder.Unscorable u) {
            checks.add(new Check(name, null, null, "holder v" + u.version() + " scored on the candidate's test rows: " + u.why(), false));
        }
        checks.add(LiveEvidence.check(live));
        return checks;
    }

    /** A gap between the candidate's slices of one column ({@code extra.slices}, written by --slice-by). */
    @SuppressWarnings("unchecked")
    private static Check fairness(BundleManifest candidate, Threshold t) {
        String rest = t.metric().substring(FAIRNESS.length());
        String column = rest.substring(0, rest.lastIndexOf('.'));
        String gap = rest.substring(rest.lastIndexOf('.') + 1);
        Object slices = candidate.extra() == null ? null : candidate.extra().get("slices");
        if (slices instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> c = (Map<String, Object>) o;
                if (column.equals(c.get("column"))) {
                    Object value = ((Map<String, Object>) c.getOrDefault("gaps", Map.of())).get(gap);
                    Double v = value instanceof Number n ? n.doubleValue() : null;
                    return new Check(t.metric(), v, v == null ? t + " (no such gap: too few groups of "
                            + Slices.MIN_ROWS + "+ rows, or not a binary model)" : t.toString(),
                            v != null && !v.isNaN() && t.test(v));
                }
            }
        }
        return new Check(t.metric(), null, t + " (the candidate was not trained with --slice-by " + column + ")", false);
    }

    /** A bound as a rule shows it: four decimals, scientific notation from 1e7 on (as the CLI's tables show numbers). */
    static String formatBound(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return Math.abs(v) >= 1e7 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
    }
}
