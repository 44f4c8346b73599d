package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a model scored one row as it did: each input column's additive share of the model's margin, in the
 * space named by {@code space} ({@code log_odds} for logistic models: binary gradient boosting and logistic
 * regression; {@code softmax_margin} for multiclass models with a softmax; {@code probability} for averaging
 * forests and trees of class probabilities; {@code value} for regression). For each output,
 * {@code base + sum(contributions) = margin}; the margin becomes the prediction through the model's link.
 *
 * <p>{@code outputs} names what each row of {@code contributions} explains: the positive class for binary
 * models, every class for multiclass, the target for regression. {@code contributions[k][c]} is column
 * {@code columns.get(c)}'s share of output k: the sum of the contributions of every feature the pipeline
 * makes from it (a one-hot column's levels and missing indicator together). {@code base[k]} is the expected
 * margin over the training rows. Tree ensembles give exact Shapley values (path-dependent TreeSHAP, as
 * XGBoost's {@code pred_contribs}); linear models {@code w (x - mean)}.
 */
public final class Explanation {
    private final String space;
    private final List<String> outputs;
    private final double[] base;
    private final List<String> columns;
    private final double[][] contributions;

    public Explanation(String space, List<String> outputs, double[] base, List<String> columns, double[][] contributions) {
        if (base.length != outputs.size() || contributions.length != outputs.size()) {
            throw new IllegalArgumentException(outputs.size() + " outputs but " + base.length + " bases and "
                    + contributions.length + " rows of contributions");
        }
        for (double[] row : contributions) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException(columns.size() + " columns but " + row.length + " contributions");
            }
        }
        this.space = space;
        this.outputs = List.copyOf(outputs);
        this.base = base.clone();
        this.columns = List.copyOf(columns);
        this.contributions = new double[contributions.length][];
        for (int k = 0; k < contributions.length; k++) {
            this.contributions[k] = contributions[k].clone();
        }
    }

    /** The margin's space: {@code log_odds}, {@code softmax_margin}, {@code probability} or {@code value}. */
    public String space() {
        return space;
    }

    /** What each output explains: the positive class (binary), every class (multiclass), the target (regression). */
    public List<String> outputs() {
        return outputs;
    }

    /** The input columns, in the model's order. */
    public List<String> columns() {
        return columns;
    }

    /** The base of the first output (the positive class, or the regression target). */
    public double base() {
        return base[0];
    }

    /** The base of output {@code k}: its expected margin over the training rows. */
    public double base(int k) {
        return base[k];
    }

    /** Output {@code k}'s contributions, aligned with {@link #columns()} (a copy). */
    public double[] values(int k) {
        return contributions[k].clone();
    }

    /** The first output's contributions by column, in the model's column order. */
    public Map<String, Double> contributions() {
        return contributions(0);
    }

    /** Output {@code k}'s contributions by column, in the model's column order. */
    public Map<String, Double> contributions(int k) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            out.put(columns.get(c), contributions[k][c]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code base + sum(contributions)} for output {@code k}: the margin the model computed. */
    public double margin(int k) {
        double m = base[k];
        for (double v : contributions[k]) {
            m += v;
        }
        return m;
    }

    /**
     * The explanation as Kiln writes it in answers, logs and reports. One output (binary: the positive class;
     * regression): {@code {"space", "output", "base", "contributions": {column: value}}}; several (multiclass):
     * {@code {"space", "base": {class: value}, "contributions": {class: {column: value}}}}. Columns in the
     * model's order; a non-finite value (none is expected) as null.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("space", space);
        if (outputs.size() == 1) {
            m.put("output", outputs.get(0));
            m.put("base", finite(base[0]));
            m.put("contributions", finiteMap(0));
        } else {
            Map<String, Object> bases = new LinkedHashMap<>();
            Map<String, Object> byOutput = new LinkedHashMap<>();
            for (int k = 0; k < outputs.size(); k++) {
                bases.put(outputs.get(k), finite(base[k]));
                byOutput.put(outputs.get(k), finiteMap(k));
            }
            m.put("base", bases);
            m.put("contributions", byOutput);
        }
        return m;
    }

    private Map<String, Object> finiteMap(int k) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            out.put(columns.get(c), finite(contributions[k][c]));
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The {@code n} columns with the largest contributions to the first output, by absolute size. */
    public List<Map.Entry<String, Double>> top(int n) {
        return top(0, n);
    }

    /** The {@code n} columns with the largest contributions to output {@code k}, by absolute size. */
    public List<Map.Entry<String, Double>> top(int k, int n) {
        List<Map.Entry<String, Double>> all = new ArrayList<>(contributions(k).entrySet());
        all.sort(Comparator.comparingDouble((Map.Entry<String, Double> e) -> -Math.abs(e.getValue())));
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }
}
