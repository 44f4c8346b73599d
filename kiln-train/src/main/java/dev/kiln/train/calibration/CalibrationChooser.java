package dev.kiln.train.calibration;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses between isotonic regression and Platt scaling for {@link CalibrationFitter#fitApplied}: each is fitted on
 * four fifths of the held-out rows and scored by log loss on the fifth left out, over {@link #FOLDS} stratified folds
 * (comparing on the rows a map was fitted on would always favour isotonic, which can follow every row), against the
 * log loss of the raw probabilities on the same rows. The winner, if it beats the raw probabilities, is refitted on all
 * the held-out rows; its out-of-fold probabilities give the report's curve and ECE after calibration.
 */
final class CalibrationChooser {
    static final int FOLDS = 5;
    /** Probabilities are clipped to [EPS, 1 - EPS] in log loss, as scikit-learn's {@code log_loss}. */
    private static final double EPS = 1e-15;

    private CalibrationChooser() {
    }

    static CalibrationFitter.Outcome choose(Task task, List<String> classes, double[][] outputs, int[] labels, long seed,
                                            String fittedOn) {
        int n = labels.length;
        double[][] raw = new double[n][];
        for (int i = 0; i < n; i++) {
            raw[i] = classOrder(task, outputs[i]);
        }
        Reliability.Curve before = Reliability.of(task, raw, labels);
        Calibration whole = CalibrationFitter.fitMaps(Calibration.ISOTONIC, task, classes, outputs, labels, fittedOn, true);
        if (!whole.transforms()) {
            // Too few rows in all, or of every class: what fitMaps says, not applied.
            return new CalibrationFitter.Outcome(whole, report(Calibration.NONE, false, n, 0, null, null, null, task,
                    before, before, whole.notes()));
        }
        int[] fold = folds(labels, classes.size(), seed);
        double[][] isotonic = new double[n][];
        double[][] platt = new double[n][];
        // The folds' fits are independent and each writes only its own rows: fitted side by side, the same maps as one
        // after the other (Platt's many passes over the rows are most of a large run's calibration time).
        java.util.stream.IntStream.range(0, FOLDS * 2).parallel().forEach(job -> {
            int f = job / 2;
            boolean isIsotonic = job % 2 == 0;
            int[] fit = rowsWhere(fold, f, false);
            int[] score = rowsWhere(fold, f, true);
            Calibration map = CalibrationFitter.fitMaps(isIsotonic ? Calibration.ISOTONIC : Calibration.PLATT, task, classes,
                    select(outputs, fit), select(labels, fit), fittedOn, true, 0);
            double[][] into = isIsotonic ? isotonic : platt;
            for (int i : score) {
                into[i] = map.apply(raw[i]);
            }
        });
        double rawLoss = logLoss(raw, labels);
        double isoLoss = logLoss(isotonic, labels);
        double plattLoss = logLoss(platt, labels);
        String best = plattLoss <= isoLoss ? Calibration.PLATT : Calibration.ISOTONIC;
        double bestLoss = Math.min(plattLoss, isoLoss);
        List<String> notes = new ArrayList<>();
        if (!(bestLoss < rawLoss)) {
            notes.add(String.format(java.util.Locale.ROOT, "the raw probabilities' log loss (%.4f) beats isotonic (%.4f) "
                    + "and Platt (%.4f) in %d-fold cross-validation on the %s: kept as they are", rawLoss, isoLoss,
                    plattLoss, FOLDS, fittedOn));
            Calibration kept = new Calibration(Calibration.IDENTITY, fittedOn, n, identityMaps(task, classes, labels),
                    notes, true);
            return new CalibrationFitter.Outcome(kept, report(Calibration.NONE, false, n, FOLDS, rawLoss, isoLoss,
                    plattLoss, task, before, before, notes));
        }
        Calibration chosen = CalibrationFitter.fitMaps(best, task, classes, outputs, labels, fittedOn, true);
        Reliability.Curve after = Reliability.of(task, best.equals(Calibration.PLATT) ? platt : isotonic, labels);
        return new CalibrationFitter.Outcome(chosen, report(best, true, n, FOLDS, rawLoss, isoLoss, plattLoss, task,
                before, after, chosen.notes()));
    }

    private static CalibrationReport report(String method, boolean applied, long rows, int folds, Double raw,
                                            Double isotonic, Double platt, Task task, Reliability.Curve before,
                                            Reliability.Curve after, List<String> notes) {
        return new CalibrationReport(method, applied, rows, folds, raw, isotonic, platt, Reliability.curveOf(task),
                before.ece(), after.ece(), before.bins(), after.bins(), notes);
    }

    /** A row's probabilities in class order from the estimator's outputs (binary: {@code [P(positive)]}). */
    static double[] classOrder(Task task, double[] output) {
        return task == Task.BINARY ? new double[] {1 - output[0], output[0]} : output.clone();
    }

    /** Mean negative log probability of each row's class, clipped as scikit-learn's {@code log_loss}. */
    static double logLoss(double[][] probabilities, int[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double q = probabilities[i][labels[i]];
            sum -= Math.log(Math.min(1 - EPS, Math.max(EPS, Double.isNaN(q) ? EPS : q)));
        }
        return sum / labels.length;
    }

    /**
     * Each row's fold, stratified: the rows of each class, shuffled (seeded), are dealt to the folds in turn, so every
     * fold holds about a fifth of every class.
     */
    static int[] folds(int[] labels, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[labels.length];
        int next = 0;
        for (int k = 0; k < Math.max(classes, 1); k++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == k) {
                    rows.add(i);
                }
            }
            for (int i = rows.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = rows.get(i);
                rows.set(i, rows.get(j));
                rows.set(j, t);
            }
            for (int row : rows) {
                fold[row] = next;
                next = (next + 1) % FOLDS;
            }
        }
        return fold;
    }

    private static int[] rowsWhere(int[] fold, int f, boolean in) {
        return java.util.stream.IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
    }

    private static double[][] select(double[][] a, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = a[rows[i]];
        }
        return out;
    }

    private static int[] select(int[] a, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = a[rows[i]];
        }
        return out;
    }

    private static List<Calibration.ClassMap> identityMaps(Task task, List<String> classes, int[] labels) {
        List<Calibration.ClassMap> maps = new ArrayList<>();
        for (int k = task == Task.BINARY ? 1 : 0; k < classes.size(); k++) {
            long positives = 0;
            for (int label : labels) {
                positives += label == k ? 1 : 0;
            }
            maps.add(new Calibration.ClassMap(classes.get(k), Calibration.IDENTITY, null, null, positives,
                    labels.length - positives));
        }
        return maps;
    }
}
