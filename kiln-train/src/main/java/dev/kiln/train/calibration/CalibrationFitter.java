package dev.kiln.train.calibration;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * Fits a classifier's {@link Calibration} on held-out rows: a map per class of the indicator "the row is of this
 * class" on the model's probability of it (one map for P(positive) when binary; one-vs-rest then renormalised when
 * multiclass, as scikit-learn's {@code CalibratedClassifierCV}), isotonic ({@link Isotonic}, as NannyML's CBPE does)
 * or Platt ({@link Platt}). A class with fewer than {@link #MIN_PER_SIDE} held-out rows of it, or of the other
 * classes, keeps its raw probability (a fit on a handful of rows says more about those rows than about the model);
 * with fewer than {@link #MIN_ROWS} rows in all, or no class fitted, nothing is calibrated and the notes say why.
 *
 * <p>{@link #fitApplied} is what training calls (format 1.4): it chooses the map and the runtime applies it.
 * {@link #fit} is the isotonic calibration that only performance estimation used (format 1.3).
 */
public final class CalibrationFitter {
    public static final int MIN_ROWS = 50;
    public static final int MIN_PER_SIDE = 10;
    public static final String FITTED_ON = "validation rows";
    /** What {@link #fitApplied} says the rows were, unless told: out-of-fold or validation predictions. */
    public static final String HELD_OUT = "held-out rows";

    /** A calibration to store in the bundle and the report of how it was chosen. */
    public record Outcome(Calibration calibration, CalibrationReport report) {
    }

    private CalibrationFitter() {
    }

    /**
     * The isotonic calibration of format 1.3, not applied by the runtime (performance estimation only).
     *
     * @param classes   the model's classes in output order (binary: negative, positive)
     * @param outputs   the model's probabilities per held-out row (binary: {@code [P(positive)]}; multiclass: one per class)
     * @param labels    each row's class index
     */
    public static Calibration fit(Task task, List<String> classes, double[][] outputs, int[] labels) {
        return fitMaps(Calibration.ISOTONIC, task, classes, outputs, labels, FITTED_ON, false);
    }

    /**
     * The calibration the runtime applies (format 1.4): isotonic or Platt, whichever has the lower log loss measured by
     * {@value CalibrationChooser#FOLDS}-fold cross-validation within the held-out rows (fit on four fifths, score the
     * fifth), refitted on all of them; the raw probabilities (calibration {@code identity}, applied: nothing changes, and
     * performance estimation takes them as calibrated) when neither beats them; nothing applied with too few rows.
     *
     * <p>The held-out outputs are the model's out-of-fold predictions from cross-validation (small data) or its
     * predictions on the validation rows (larger data); the calibration is then applied to the model refitted on all
     * training rows, as scikit-learn's {@code CalibratedClassifierCV(ensemble=False)} does.
     *
     * @param classes        the model's classes in output order (binary: negative, positive)
     * @param heldOutOutputs the model's probabilities per held-out row, as the estimator gives them (binary:
     *                       {@code [P(positive)]}; multiclass: one per class)
     * @param labels         each row's class index
     * @param seed           seeds the assignment of rows to folds
     */
    public static Outcome fitApplied(Task task, List<String> classes, double[][] heldOutOutputs, int[] labels, long seed) {
        return fitApplied(task, classes, heldOutOutputs, labels, seed, HELD_OUT);
    }

    /** As above, with {@code fittedOn} naming the rows in the bundle (e.g. "out-of-fold predictions, 5 folds"). */
    public static Outcome fitApplied(Task task, List<String> classes, double[][] heldOutOutputs, int[] labels, long seed,
                                     String fittedOn) {
        return CalibrationChooser.choose(task, classes, heldOutOutputs, labels, seed, fittedOn);
    }

    /**
     * Fits maps of one {@code method} ({@link Calibration#ISOTONIC} or {@link Calibration#PLATT}) on all the given
     * rows; method {@code none} with the reasons in the notes when fewer than {@link #MIN_ROWS} rows or no class fits.
     */
    static Calibration fitMaps(String method, Task task, List<String> classes, double[][] outputs, int[] labels,
                               String fittedOn, boolean applied) {
        return fitMaps(method, task, classes, outputs, labels, fittedOn, applied, MIN_ROWS);
    }

    /** As above, with the least number of rows in all; cross-validation's folds pass 0 (the whole was checked). */
    static Calibration fitMaps(String method, Task task, List<String> classes, double[][] outputs, int[] labels,
                               String fittedOn, boolean applied, int minRows) {
        int n = labels.length;
        List<String> notes = new ArrayList<>();
        if (n < minRows) {
            notes.add("only " + n + " " + fittedOn + " (fewer than " + minRows + "): not calibrated");
            return new Calibration(Calibration.NONE, fittedOn, n, List.of(), notes, false);
        }
        List<Calibration.ClassMap> maps = new ArrayList<>();
        if (task == Task.BINARY) {
            maps.add(classMap(method, classes.get(1), column(outputs, 0), labels, 1, fittedOn, notes));
        } else {
            for (int k = 0; k < classes.size(); k++) {
                maps.add(classMap(method, classes.get(k), column(outputs, k), labels, k, fittedOn, notes));
            }
        }
        if (maps.stream().noneMatch(Calibration.ClassMap::fitted)) {
            notes.add("no class has " + MIN_PER_SIDE + " " + fittedOn + " on each side: not calibrated");
            return new Calibration(Calibration.NONE, fittedOn, n, maps, notes, false);
        }
        return new Calibration(method, fittedOn, n, maps, notes, applied);
    }

    private static Calibration.ClassMap classMap(String method, String name, double[] score, int[] labels, int k,
                                                 String fittedOn, List<String> notes) {
        double[] y = new double[labels.length];
        long positives = 0;
        for (int i = 0; i < labels.length; i++) {
            y[i] = labels[i] == k ? 1 : 0;
            positives += labels[i] == k ? 1 : 0;
        }
        long negatives = labels.length - positives;
        if (positives < MIN_PER_SIDE || negatives < MIN_PER_SIDE) {
            notes.add("class '" + name + "': " + positives + " of " + labels.length + " " + fittedOn + "; fewer than "
                    + MIN_PER_SIDE + " on one side, so its raw probability is kept");
            return new Calibration.ClassMap(name, Calibration.IDENTITY, null, null, positives, negatives);
        }
        if (Calibration.PLATT.equals(method)) {
            double[] f = new double[score.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = Calibration.logit(finite(score[i]));
            }
            Platt.Fit p = Platt.fit(f, y);
            return Calibration.ClassMap.platt(name, p.a(), p.b(), positives, negatives);
        }
        Isotonic.Fit f = Isotonic.fit(finite(score), y);
        return new Calibration.ClassMap(name, Calibration.ISOTONIC, f.x(), f.y(), positives, negatives);
    }

    /** Scores as the fit takes them: a non-finite output (none is expected from Kiln's estimators) counts as 0 or 1. */
    private static double[] finite(double[] score) {
        double[] out = score.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = finite(out[i]);
        }
        return out;
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : v == Double.POSITIVE_INFINITY ? 1 : 0;
    }

    private static double[] column(double[][] outputs, int k) {
        double[] c = new double[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            c[i] = outputs[i][k];
        }
        return c;
    }

    /** What the manifest says of a calibration: method, the rows it was fitted on, each class's map and the notes. */
    public static Map<String, Object> summary(Calibration c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", c.method());
        m.put("fitted_on", c.fittedOn());
        m.put("rows", c.rows());
        m.put("applied", c.applied());
        Map<String, Object> classes = new LinkedHashMap<>();
        for (Calibration.ClassMap map : c.maps()) {
            classes.put(map.className(), Map.of("method", map.method(), "positives", map.positives(), "negatives", map.negatives()));
        }
        m.put("classes", classes);
        m.put("notes", c.notes());
        return m;
    }
}
