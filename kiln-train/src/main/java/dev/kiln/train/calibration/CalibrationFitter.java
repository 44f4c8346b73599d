package dev.kiln.train.calibration;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * Fits a classifier's {@link Calibration} on held-out rows: isotonic regression per class of the indicator "the row
 * is of this class" on the model's probability of it (one map for P(positive) when binary), as NannyML's CBPE does.
 * A class with fewer than {@link #MIN_PER_SIDE} held-out rows of it, or of the other classes, keeps its raw
 * probability (an isotonic fit on a handful of rows is a few steps that say more about those rows than about the
 * model); with fewer than {@link #MIN_ROWS} rows in all, or no class fitted, nothing is calibrated and the notes say
 * why.
 */
public final class CalibrationFitter {
    public static final int MIN_ROWS = 50;
    public static final int MIN_PER_SIDE = 10;
    public static final String FITTED_ON = "validation rows";

    private CalibrationFitter() {
    }

    /**
     * @param classes   the model's classes in output order (binary: negative, positive)
     * @param outputs   the model's probabilities per held-out row (binary: {@code [P(positive)]}; multiclass: one per class)
     * @param labels    each row's class index
     */
    public static Calibration fit(Task task, List<String> classes, double[][] outputs, int[] labels) {
        int n = labels.length;
        List<String> notes = new ArrayList<>();
        if (n < MIN_ROWS) {
            notes.add("only " + n + " validation rows (fewer than " + MIN_ROWS + "): not calibrated");
            return new Calibration(Calibration.NONE, FITTED_ON, n, List.of(), notes);
        }
        List<Calibration.ClassMap> maps = new ArrayList<>();
        if (task == Task.BINARY) {
            maps.add(classMap(classes.get(1), column(outputs, 0), labels, 1, notes));
        } else {
            for (int k = 0; k < classes.size(); k++) {
                maps.add(classMap(classes.get(k), column(outputs, k), labels, k, notes));
            }
        }
        if (maps.stream().noneMatch(Calibration.ClassMap::fitted)) {
            notes.add("no class has " + MIN_PER_SIDE + " validation rows on each side: not calibrated");
            return new Calibration(Calibration.NONE, FITTED_ON, n, maps, notes);
        }
        return new Calibration(Calibration.ISOTONIC, FITTED_ON, n, maps, notes);
    }

    private static Calibration.ClassMap classMap(String name, double[] score, int[] labels, int k, List<String> notes) {
        double[] y = new double[labels.length];
        long positives = 0;
        for (int i = 0; i < labels.length; i++) {
            y[i] = labels[i] == k ? 1 : 0;
            positives += labels[i] == k ? 1 : 0;
        }
        long negatives = labels.length - positives;
        if (positives < MIN_PER_SIDE || negatives < MIN_PER_SIDE) {
            notes.add("class '" + name + "': " + positives + " of " + labels.length + " validation rows; fewer than "
                    + MIN_PER_SIDE + " on one side, so its raw probability is kept");
            return new Calibration.ClassMap(name, Calibration.IDENTITY, null, null, positives, negatives);
        }
        Isotonic.Fit f = Isotonic.fit(finite(score), y);
        return new Calibration.ClassMap(name, Calibration.ISOTONIC, f.x(), f.y(), positives, negatives);
    }

    /** Scores as the fit takes them: a non-finite output (none is expected from Kiln's estimators) counts as 0 or 1. */
    private static double[] finite(double[] score) {
        double[] out = score.clone();
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                out[i] = out[i] == Double.POSITIVE_INFINITY ? 1 : 0;
            }
        }
        return out;
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
        Map<String, Object> classes = new LinkedHashMap<>();
        for (Calibration.ClassMap map : c.maps()) {
            classes.put(map.className(), Map.of("method", map.method(), "positives", map.positives(), "negatives", map.negatives()));
        }
        m.put("classes", classes);
        m.put("notes", c.notes());
        return m;
    }
}
