package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.train.eval.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Promotion gates for protected aliases. A candidate version must pass every check:
 * <ul>
 *   <li>absolute thresholds ({@code roc_auc>=0.70}) from the model's {@code gate.<metric>} tags and the
 *       command line; a fairness gap of the candidate's slices is named {@code fairness.<column>.<gap>}
 *       ({@code fairness.age.parity_difference<=0.2}) and needs the candidate trained with {@code --slice-by column};</li>
 *   <li>lift over the baseline of its own training run on the selection metric (at least {@code minLift});</li>
 *   <li>not worse than the alias's current holder by more than {@code maxRegression} on that metric.</li>
 * </ul>
 * Metrics are the test metrics recorded in each bundle's manifest.
 */
public final class Gates {
    public static final Set<String> PROTECTED_ALIASES = Set.of("production");
    /** Model tag listing more protected aliases, comma-separated (production always is). */
    public static final String PROTECTED_ALIASES_TAG = "protected_aliases";
    private static final Pattern RULE = Pattern.compile("\\s*([a-z0-9_]+|fairness\\.[^\\s<>=]+\\.[a-z_]+)\\s*(>=|<=|>|<)\\s*([-+0-9.eE]+)\\s*");
    public static final String FAIRNESS = "fairness.";

    public record Check(String name, Double value, String requirement, boolean passed) {
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

    /** Thresholds declared as model tags {@code gate.<metric> = ">=0.70"}. */
    public static List<Threshold> fromTags(Map<String, String> tags) {
        List<Threshold> out = new ArrayList<>();
        tags.forEach((k, v) -> {
            if (k.startsWith("gate.")) {
                out.add(parse(k.substring("gate.".length()) + v));
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    public static List<Check> evaluate(BundleManifest candidate, BundleManifest current, List<Threshold> thresholds,
                                double minLift, double maxRegression) {
        List<Check> checks = new ArrayList<>();
        Map<String, Double> metrics = candidate.testMetrics();
        for (Threshold t : thresholds) {
            if (t.metric().startsWith(FAIRNESS)) {
                checks.add(fairness(candidate, t));
                continue;
            }
            Double v = metrics.get(t.metric());
            checks.add(new Check(t.metric(), v, t.toString(), v != null && !v.isNaN() && t.test(v)));
        }
        String key = candidate.extra() == null ? null : (String) candidate.extra().get("selection_metric");
        if (key == null) {
            checks.add(new Check("selection metric", null, "recorded in the bundle", false));
            return checks;
        }
        boolean lower = Metrics.lowerIsBetter(key);
        Double v = metrics.get(key);
        Map<String, Object> baseline = (Map<String, Object>) candidate.extra().get("baseline_metrics");
        Double base = baseline == null ? null : ((Map<String, Double>) baseline.get("test")).get(key);
        if (base != null && v != null) {
            double lift = lower ? base - v : v - base;
            checks.add(new Check(key + " lift over baseline", lift, String.format(Locale.ROOT, "%s %.4f (baseline %.4f)",
                    minLift > 0 ? ">=" : ">", minLift, base), minLift > 0 ? lift >= minLift : lift > 0));
        } else {
            checks.add(new Check(key + " lift over baseline", null, "baseline metrics in the bundle", false));
        }
        if (current != null) {
            Double held = current.testMetrics().get(key);
            if (held != null && v != null) {
                double regression = lower ? v - held : held - v;
                checks.add(new Check(key + " vs current holder", v, String.format(Locale.ROOT, "%s %.4f (current %.4f, margin %.4f)",
                        lower ? "<=" : ">=", lower ? held + maxRegression : held - maxRegression, held, maxRegression),
                        regression <= maxRegression));
            }
        }
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
                            + dev.kiln.train.eval.Slices.MIN_ROWS + "+ rows, or not a binary model)" : t.toString(),
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
