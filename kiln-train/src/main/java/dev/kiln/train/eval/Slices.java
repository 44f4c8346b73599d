package dev.kiln.train.eval;

import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a model does on groups of rows (slices) defined by one column, and, for binary models, how far apart the
 * groups are (fairness gaps). A categorical, text or boolean column is grouped by value (the {@link #MAX_GROUPS}
 * most frequent, the rest as {@code (other)}); a numeric, integer or datetime column by its quartiles over the
 * rows given; missing values form {@code (missing)}.
 *
 * <p>Binary, per group: {@code rows}, {@code positive_rate} (actual), {@code predicted_positive_rate} (at the
 * decision threshold), {@code accuracy}, {@code tpr} (recall; NaN without positives), {@code fpr} (NaN without
 * negatives), {@code roc_auc} (NaN unless both classes are present). The gaps, over the groups of at least
 * {@link #MIN_ROWS} rows: {@code parity_difference} (max - min predicted positive rate), {@code positive_rate_ratio}
 * and {@code negative_rate_ratio} (min / max of the predicted positive and negative rates: the four-fifths rule
 * reads the ratio of the favourable outcome), {@code equal_opportunity_difference} (max - min TPR),
 * {@code equalized_odds_difference} (the larger of the TPR and FPR ranges) and {@code accuracy_difference}. Each gap
 * comes with a 95% bootstrap interval ({@code gapIntervals}: the 2.5th and 97.5th percentiles of the gap over
 * {@link #BOOTSTRAP} resamples of the rows, seeded, so a run repeats exactly). Small groups make wide intervals: the
 * width shows how much of a gap the rows' noise alone could make. Percentile intervals of a max - min gap lean upward
 * (noise only ever widens a range), so they are not a test of a zero gap.
 */
public final class Slices {
    /** Groups smaller than this are reported but left out of the gaps: their rates are noise. */
    public static final int MIN_ROWS = 10;
    /** Categories reported one by one; the rest are pooled as {@code (other)}. */
    public static final int MAX_GROUPS = 20;
    /** The order metrics are shown in (binary, multiclass, regression), whatever order a map gives them back in. */
    public static final List<String> METRIC_ORDER = List.of("positive_rate", "predicted_positive_rate", "accuracy", "tpr",
            "fpr", "roc_auc", "rmse", "mae", "mean_actual", "mean_predicted");
    /** The gaps a binary model's column gets (what a {@code fairness.<column>.<gap>} gate may name). */
    public static final List<String> GAPS = List.of("parity_difference", "positive_rate_ratio", "negative_rate_ratio",
            "equal_opportunity_difference", "equalized_odds_difference", "accuracy_difference");
    static final String MISSING = "(missing)";
    static final String OTHER = "(other)";

    /**
     * One group: what defines it, how many rows fell in it, the model's metrics on them, and the 95% Wilson interval
     * ({@link Intervals#wilson}) of each metric that is a rate of rows (binary: {@code positive_rate},
     * {@code predicted_positive_rate}, {@code accuracy}, {@code tpr}, {@code fpr}; multiclass: {@code accuracy};
     * regression: none). A small group's wide interval is the reason its rate says little.
     */
    public record Group(String value, int rows, Map<String, Double> metrics, Map<String, List<Double>> intervals) {
    }

    /** Resamples for the gaps' intervals (fewer for large row counts: at most {@link #BOOTSTRAP_WORK} row draws in all). */
    public static final int BOOTSTRAP = 1000;
    static final long BOOTSTRAP_WORK = 20_000_000L;

    /** One column's groups, the gaps between them and their 95% intervals (binary models; empty otherwise). */
    public record Column(String column, String grouping, List<Group> groups, Map<String, Double> gaps,
                         Map<String, List<Double>> gapIntervals, List<String> notes) {
    }

    private Slices() {
    }

    /** Binary: {@code y} 0/1, {@code p} P(positive), {@code values} the column's internal values (Double or String). */
    public static Column binary(String column, ColumnType type, Object[] values, int[] y, double[] p, double threshold) {
        boolean[] yes = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            yes[i] = p[i] >= threshold;
        }
        return binary(column, type, values, y, p, yes);
    }

    /**
     * As above, with each row's decision given ({@code yes}: predicted positive), as a server logged it: rows answered by
     * versions with different thresholds keep the answer they got. {@code p} only serves ROC AUC.
     */
    public static Column binary(String column, ColumnType type, Object[] values, int[] y, double[] p, boolean[] yes) {
        Grouping g = group(type, values);
        int[] every = new int[g.labels.size()];
        for (int k = 0; k < every.length; k++) {
            every[k] = k;
        }
        List<Counts> tallies = countsOf(g.groupOf, every, every.length, y, yes, null);
        List<Group> groups = new ArrayList<>();
        List<Integer> counted = new ArrayList<>();  // group indices in the gaps: at least MIN_ROWS rows
        for (int k = 0; k < g.labels.size(); k++) {
            int[] rows = g.rows(k);
            if (rows.length == 0) {
                continue;
            }
            int[] gy = new int[rows.length];
            double[] gp = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                gy[i] = y[rows[i]];
                gp[i] = p[rows[i]];
            }
            Counts c = tallies.get(k);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("positive_rate", (double) c.positives / c.rows);
            m.put("predicted_positive_rate", c.rate());
            m.put("accuracy", c.accuracy());
            m.put("tpr", c.tpr());
            m.put("fpr", c.fpr());
            m.put("roc_auc", Metrics.binary(gy, gp, 0.5).get("roc_auc"));  // the threshold does not enter the AUC
            Map<String, List<Double>> intervals = new LinkedHashMap<>();
            intervals.put("positive_rate", Intervals.wilson(c.positives, c.rows));
            intervals.put("predicted_positive_rate", Intervals.wilson(c.predicted, c.rows));
            intervals.put("accuracy", Intervals.wilson(c.correct, c.rows));
            intervals.put("tpr", Intervals.wilson(c.tp, c.positives));
            intervals.put("fpr", Intervals.wilson(c.fp, c.rows - c.positives));
            groups.add(new Group(g.labels.get(k), rows.length, m, intervals));
            if (rows.length >= MIN_ROWS) {
                counted.add(k);
            }
        }
        List<String> notes = new ArrayList<>(g.notes);
        if (counted.size() < groups.size()) {
            notes.add((groups.size() - counted.size()) + " group(s) of fewer than " + MIN_ROWS + " rows left out of the gaps");
        }
        Map<String, Double> gaps = new LinkedHashMap<>();
        Map<String, List<Double>> intervals = new LinkedHashMap<>();
        if (counted.size() >= 2) {
            int[] slot = new int[g.labels.size()];
            java.util.Arrays.fill(slot, -1);
            for (int j = 0; j < counted.size(); j++) {
                slot[counted.get(j)] = j;
            }
            gaps.putAll(gaps(countsOf(g.groupOf, slot, counted.size(), y, yes, null)));
            intervals.putAll(bootstrap(g.groupOf, slot, counted.size(), y, yes, gaps.keySet()));
        }
        return new Column(column, g.kind, groups, gaps, intervals, notes);
    }

    /** One group's tallies at the threshold: all a gap needs. */
    private record Counts(long rows, long positives, long predicted, long tp, long fp, long correct) {
        double tpr() {
            return positives == 0 ? Double.NaN : (double) tp / positives;
        }

        double fpr() {
            return positives == rows ? Double.NaN : (double) fp / (rows - positives);
        }

        double rate() {
            return rows == 0 ? Double.NaN : (double) predicted / rows;
        }

        double accuracy() {
            return rows == 0 ? Double.NaN : (double) correct / rows;
        }
    }

    /**
     * The counted groups' tallies ({@code slot[group]}: its place, or -1 for a group left out), over every row, or over
     * the rows {@code draw} names (a bootstrap resample).
     */
    private static List<Counts> countsOf(int[] groupOf, int[] slot, int groups, int[] y, boolean[] yes, int[] draw) {
        long[][] t = new long[groups][5];
        int n = draw == null ? y.length : draw.length;
        for (int j = 0; j < n; j++) {
            int r = draw == null ? j : draw[j];
            int s = slot[groupOf[r]];
            if (s < 0) {
                continue;
            }
            long[] c = t[s];
            c[0]++;
            c[1] += y[r];
            c[2] += yes[r] ? 1 : 0;
            c[3] += yes[r] && y[r] == 1 ? 1 : 0;
            c[4] += yes[r] && y[r] == 0 ? 1 : 0;
        }
        List<Counts> out = new ArrayList<>(groups);
        for (long[] c : t) {
            out.add(new Counts(c[0], c[1], c[2], c[3], c[4], c[3] + (c[0] - c[1] - c[4])));
        }
        return out;
    }

    private static Map<String, Double> gaps(List<Counts> groups) {
        double[] ppr = groups.stream().mapToDouble(Counts::rate).toArray();
        double[] npr = Arrays.stream(ppr).map(v -> 1 - v).toArray();
        double tprRange = range(groups.stream().mapToDouble(Counts::tpr).toArray());
        double fprRange = range(groups.stream().mapToDouble(Counts::fpr).toArray());
        Map<String, Double> gaps = new LinkedHashMap<>();
        gaps.put("parity_difference", range(ppr));
        gaps.put("positive_rate_ratio", ratio(ppr));
        gaps.put("negative_rate_ratio", ratio(npr));
        gaps.put("equal_opportunity_difference", tprRange);
        gaps.put("equalized_odds_difference", Double.isNaN(tprRange) || Double.isNaN(fprRange) ? Double.NaN
                : Math.max(tprRange, fprRange));
        gaps.put("accuracy_difference", range(groups.stream().mapToDouble(Counts::accuracy).toArray()));
        return gaps;
    }

    /** 95% percentile intervals of each gap over bootstrap resamples of all rows (seeded: the same rows, the same intervals). */
    private static Map<String, List<Double>> bootstrap(int[] groupOf, int[] slot, int groups, int[] y, boolean[] yes,
                                                       java.util.Set<String> names) {
        int n = y.length;
        int resamples = (int) Math.max(100, Math.min(BOOTSTRAP, BOOTSTRAP_WORK / Math.max(1, n)));
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        Map<String, double[]> draws = new LinkedHashMap<>();
        for (String name : names) {
            draws.put(name, new double[resamples]);
        }
        int[] draw = new int[n];
        for (int b = 0; b < resamples; b++) {
            for (int j = 0; j < n; j++) {
                draw[j] = rnd.nextInt(n);
            }
            Map<String, Double> gaps = gaps(countsOf(groupOf, slot, groups, y, yes, draw));
            for (String name : names) {
                draws.get(name)[b] = gaps.get(name);
            }
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        draws.forEach((name, v) -> {
            double[] defined = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
            out.put(name, defined.length < resamples / 2 ? Arrays.asList(Double.NaN, Double.NaN)
                    : List.of(dev.kiln.data.Profiler.quantile(defined, 0.025),
                    dev.kiln.data.Profiler.quantile(defined, 0.975)));
        });
        return out;
    }

    /** Multiclass: {@code y} and {@code predicted} class indices. */
    public static Column multiclass(String column, ColumnType type, Object[] values, int[] y, int[] predicted) {
        Grouping g = group(type, values);
        List<Group> groups = new ArrayList<>();
        for (int k = 0; k < g.labels.size(); k++) {
            int[] rows = g.rows(k);
            if (rows.length == 0) {
                continue;
            }
            long correct = Arrays.stream(rows).filter(i -> y[i] == predicted[i]).count();
            groups.add(new Group(g.labels.get(k), rows.length, Map.of("accuracy", (double) correct / rows.length),
                    Map.of("accuracy", Intervals.wilson(correct, rows.length))));
        }
        return new Column(column, g.kind, groups, accuracyGap(groups), Map.of(), g.notes);
    }

    /** Regression: actual and predicted values. */
    public static Column regression(String column, ColumnType type, Object[] values, double[] y, double[] predicted) {
        Grouping g = group(type, values);
        List<Group> groups = new ArrayList<>();
        for (int k = 0; k < g.labels.size(); k++) {
            int[] rows = g.rows(k);
            if (rows.length == 0) {
                continue;
            }
            double[] gy = Arrays.stream(rows).mapToDouble(i -> y[i]).toArray();
            double[] gp = Arrays.stream(rows).mapToDouble(i -> predicted[i]).toArray();
            Map<String, Double> all = Metrics.regression(gy, gp);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("rmse", all.get("rmse"));
            m.put("mae", all.get("mae"));
            m.put("mean_actual", Arrays.stream(gy).average().orElse(Double.NaN));
            m.put("mean_predicted", Arrays.stream(gp).average().orElse(Double.NaN));
            groups.add(new Group(g.labels.get(k), rows.length, m, Map.of()));
        }
        return new Column(column, g.kind, groups, Map.of(), Map.of(), g.notes);
    }

    /** Between the columns of an intersectional slice ({@code --slice-by personal_status*age}). */
    public static final String CROSS = "*";

    /**
     * The rows' groups of several columns at once, as one categorical column: each row's label is its group in every
     * column (value, quartile or {@code (missing)}), joined by {@code " × "}, e.g. {@code "male single × [27, 35)"}.
     * Slice the result as {@link ColumnType#CATEGORICAL}.
     */
    /** What a slice groups by: one column's values and type, or the {@link #crossed} labels of several, as categories. */
    public record Input(ColumnType type, Object[] values) {
        public static Input of(List<ColumnType> types, List<Object[]> columns) {
            return columns.size() == 1 ? new Input(types.get(0), columns.get(0))
                    : new Input(ColumnType.CATEGORICAL, crossed(types, columns));
        }
    }

    public static Object[] crossed(List<ColumnType> types, List<Object[]> columns) {
        int n = columns.get(0).length;
        String[] out = new String[n];
        for (int c = 0; c < columns.size(); c++) {
            Grouping g = group(types.get(c), columns.get(c));
            for (int i = 0; i < n; i++) {
                String label = g.labels.get(g.groupOf[i]);
                out[i] = c == 0 ? label : out[i] + " \u00d7 " + label;
            }
        }
        return out;
    }

    private static Map<String, Double> accuracyGap(List<Group> groups) {
        List<Group> counted = groups.stream().filter(x -> x.rows() >= MIN_ROWS).toList();
        return counted.size() >= 2 ? Map.of("accuracy_difference", range(values(counted, "accuracy"))) : Map.of();
    }

    private static double[] values(List<Group> groups, String metric) {
        return groups.stream().mapToDouble(x -> x.metrics().get(metric)).toArray();
    }

    /** max - min over the defined values; NaN when fewer than two are defined. */
    static double range(double[] v) {
        double[] defined = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
        if (defined.length < 2) {
            return Double.NaN;
        }
        return Arrays.stream(defined).max().getAsDouble() - Arrays.stream(defined).min().getAsDouble();
    }

    /** min / max over the defined values (1 when all are 0); NaN when fewer than two are defined. */
    static double ratio(double[] v) {
        double[] defined = Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
        if (defined.length < 2) {
            return Double.NaN;
        }
        double max = Arrays.stream(defined).max().getAsDouble();
        return max == 0 ? 1.0 : Arrays.stream(defined).min().getAsDouble() / max;
    }

    /** Which group each row falls in. */
    private record Grouping(String kind, List<String> labels, int[] groupOf, List<String> notes) {
        int[] rows(int k) {
            int n = 0;
            for (int g : groupOf) {
                n += g == k ? 1 : 0;
            }
            int[] out = new int[n];
            int j = 0;
            for (int i = 0; i < groupOf.length; i++) {
                if (groupOf[i] == k) {
                    out[j++] = i;
                }
            }
            return out;
        }
    }

    private static Grouping group(ColumnType type, Object[] values) {
        return switch (type) {
            case NUMERIC, INTEGER, DATETIME -> quartiles(type, values);
            default -> categories(type, values);
        };
    }

    private static Grouping categories(ColumnType type, Object[] values) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Object v : values) {
            counts.merge(text(type, v), 1, Integer::sum);
        }
        List<String> ordered = new ArrayList<>(counts.keySet());
        ordered.remove(MISSING);
        ordered.sort((a, b) -> counts.get(b) - counts.get(a) != 0 ? counts.get(b) - counts.get(a) : a.compareTo(b));
        List<String> notes = new ArrayList<>();
        List<String> labels = new ArrayList<>(ordered.subList(0, Math.min(MAX_GROUPS, ordered.size())));
        boolean other = ordered.size() > MAX_GROUPS;
        if (other) {
            notes.add((ordered.size() - MAX_GROUPS) + " less frequent values pooled as " + OTHER);
            labels.add(OTHER);
        }
        labels.add(MISSING);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            index.put(labels.get(k), k);
        }
        int[] groupOf = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            Integer k = index.get(text(type, values[i]));
            groupOf[i] = k != null ? k : index.get(OTHER);
        }
        return new Grouping("values", labels, groupOf, notes);
    }

    /**
     * A boolean column's values (1/0; NaN or null when missing) as the answers slices group them by, named in
     * {@code words} (the column's file's words: yes/no), one group per answer however its cells are spelled.
     */
    public static Object[] answers(BooleanWords words, Object[] values) {
        Object[] out = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] instanceof Double d && !d.isNaN() ? words.word(d) : values[i];
        }
        return out;
    }

    private static String text(ColumnType type, Object v) {
        if (v == null || v instanceof Double d && d.isNaN()) {
            return MISSING;
        }
        if (type == ColumnType.BOOLEAN && v instanceof Double d) {
            return BooleanWords.TRUE_FALSE.word(d); // a boolean without words of its own (see answers)
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());  // a boolean's 0/1, an integer category
        }
        return v.toString();
    }

    private static Grouping quartiles(ColumnType type, Object[] values) {
        double[] present = Arrays.stream(values).filter(v -> v instanceof Double d && !d.isNaN())
                .mapToDouble(v -> (Double) v).sorted().toArray();
        List<Double> edges = new ArrayList<>();
        if (present.length > 0) {
            for (double q : new double[] {0.25, 0.5, 0.75}) {
                double e = present[(int) Math.min(present.length - 1, Math.floor(q * present.length))];
                if (e > present[0] && (edges.isEmpty() || e > edges.get(edges.size() - 1))) {
                    edges.add(e);
                }
            }
        }
        List<String> labels = new ArrayList<>();
        if (present.length > 0) {
            double lo = present[0];
            for (double e : edges) {
                labels.add("[" + format(type, lo) + ", " + format(type, e) + ")");
                lo = e;
            }
            labels.add("[" + format(type, lo) + ", " + format(type, present[present.length - 1]) + "]");
        }
        labels.add(MISSING);
        int[] groupOf = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] instanceof Double d) || d.isNaN()) {
                groupOf[i] = labels.size() - 1;
                continue;
            }
            int k = 0;
            while (k < edges.size() && d >= edges.get(k)) {
                k++;
            }
            groupOf[i] = k;
        }
        return new Grouping("quartiles", labels, groupOf, List.of());
    }

    private static String format(ColumnType type, double v) {
        if (type == ColumnType.DATETIME) {
            return java.time.Instant.ofEpochMilli((long) v).toString();
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
