package dev.kiln.monitor.performance;

import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Calibration;
import dev.kiln.runtime.schema.ClassLabels;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One version's rows over one window, for {@link PerformanceEstimator}. Accuracy (estimated and realised) is summed as
 * rows stream by, exactly; the AUCs rank the rows, so each row's probabilities (as given and as calibrated), decided
 * class and label are kept — up to {@link #MAX_KEPT} rows, past which a uniform sample of that many stands for the
 * window (reservoir sampling, seeded: the same log gives the same report), so a check over a busy day stays in bounded
 * memory.
 */
final class EstimateAccumulator {
    static final int MAX_KEPT = 200_000;

    private final Task task;
    private final List<String> classes;
    private final Calibration calibration;
    /**
     * The bundle's calibration is applied by the runtime (format 1.4), so the logged probabilities already went
     * through it: they are used as they are, never mapped a second time. Format 1.3 bundles log raw probabilities.
     */
    private final boolean alreadyCalibrated;
    private final String status;
    private final String note;
    private final int k;
    private final int maxKept;
    private final SplittableRandom random = new SplittableRandom(0x6b696c6eL);
    private long rows;
    private long unusable;
    private double sumCorrect;
    private double sumVariance;
    private long labelled;
    private long labelledCorrect;
    private int n;
    private double[] raw = new double[0];
    private double[] cal = new double[0];
    private int[] decided = new int[0];
    private int[] label = new int[0];

    EstimateAccumulator(KilnModel model) {
        this(model, MAX_KEPT);
    }

    EstimateAccumulator(KilnModel model, int maxKept) {
        this.maxKept = maxKept;
        BundleManifest m = model.manifest();
        this.task = m.task();
        this.classes = m.classes() == null ? List.of() : m.classes();
        this.k = classes.size();
        Calibration c = model.bundle().calibration();
        if (!task.isClassification()) {
            status = EstimateReport.NOT_A_CLASSIFIER;
            note = "CBPE estimates classifiers only";
            calibration = null;
        } else if (c == null) {
            status = EstimateReport.CALIBRATION_UNAVAILABLE;
            note = "bundle format " + m.formatVersion() + " has no calibration (written before 1.3): retrain to estimate";
            calibration = null;
        } else if (!c.available()) {
            status = EstimateReport.CALIBRATION_UNAVAILABLE;
            note = "not calibrated when trained: " + String.join("; ", c.notes());
            calibration = null;
        } else {
            status = EstimateReport.CALIBRATED;
            note = c.method() + " on " + c.rows() + " " + c.fittedOn()
                    + (c.applied() ? ", applied by the model: the logged probabilities are the calibrated ones" : "")
                    + (c.notes().isEmpty() ? "" : "; " + String.join("; ", c.notes()));
            calibration = c;
        }
        this.alreadyCalibrated = calibration != null && calibration.applied();
    }

    void add(PredictionRecord p, String labelText) {
        if (calibration == null) {
            rows++;
            return;
        }
        int d = p.prediction() == null ? -1 : classes.indexOf(String.valueOf(p.prediction()));
        double[] r = probabilities(p.probabilities());
        if (d < 0 || r == null) {
            unusable++;
            return;
        }
        rows++;
        double[] q = alreadyCalibrated ? r : calibration.apply(r);
        sumCorrect += q[d];
        sumVariance += q[d] * (1 - q[d]);
        int y = labelText == null ? -1 : ClassLabels.indexOf(classes, labelText);
        if (y >= 0) {
            labelled++;
            labelledCorrect += y == d ? 1 : 0;
        }
        int slot;
        if (n < maxKept) {
            grow();
            slot = n++;
        } else {
            long j = random.nextLong(rows);
            if (j >= maxKept) {
                return;
            }
            slot = (int) j;
        }
        System.arraycopy(r, 0, raw, slot * k, k);
        System.arraycopy(q, 0, cal, slot * k, k);
        decided[slot] = d;
        label[slot] = y;
    }

    /** The row's probabilities in class order; null when one is missing or not a probability. */
    private double[] probabilities(Map<String, Double> given) {
        if (given == null) {
            return null;
        }
        double[] r = new double[k];
        for (int c = 0; c < k; c++) {
            Double v = given.get(classes.get(c));
            if (v == null || !(v >= 0 && v <= 1)) {
                return null;
            }
            r[c] = v;
        }
        return r;
    }

    private void grow() {
        if (n == decided.length) {
            int size = Math.min(maxKept, Math.max(16, n * 2));
            raw = Arrays.copyOf(raw, size * k);
            cal = Arrays.copyOf(cal, size * k);
            decided = Arrays.copyOf(decided, size);
            label = Arrays.copyOf(label, size);
        }
    }

    EstimateReport.Estimate result(String version, Instant start, Instant end) {
        if (calibration == null || n == 0) {
            return new EstimateReport.Estimate(version, start, end, rows, unusable, status, note, null, null, 0, null, null);
        }
        Cbpe.Band accuracy = Cbpe.Band.of(sumCorrect / rows, Math.sqrt(sumVariance) / rows);
        Cbpe.Band auc = task == Task.BINARY ? Cbpe.rocAucBand(column(raw, 1), column(cal, 1), n)
                : Cbpe.macroRocAuc(raw, cal, n, k);
        Double realisedAccuracy = labelled == 0 ? null : (double) labelledCorrect / labelled;
        Double realisedAuc = labelled == 0 ? null : realisedRocAuc();
        return new EstimateReport.Estimate(version, start, end, rows, unusable, status, note, accuracy, auc, labelled,
                realisedAccuracy, realisedAuc);
    }

    /**
     * Binary: ROC AUC of P(positive); multiclass: the macro one-vs-rest AUC over the classes present in the labels. On
     * the kept rows' labels.
     */
    private Double realisedRocAuc() {
        int m = 0;
        for (int i = 0; i < n; i++) {
            m += label[i] >= 0 ? 1 : 0;
        }
        double[] score = new double[m];
        boolean[] positive = new boolean[m];
        double sum = 0;
        int present = 0;
        for (int c = task == Task.BINARY ? 1 : 0; c < k; c++) {
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (label[i] >= 0) {
                    score[j] = raw[i * k + c];
                    positive[j] = label[i] == c;
                    j++;
                }
            }
            double auc = Scores.rocAuc(score, positive, m);
            if (!Double.isNaN(auc)) {
                sum += auc;
                present++;
            }
        }
        return present == 0 ? null : sum / present;
    }

    private double[] column(double[] a, int c) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = a[i * k + c];
        }
        return out;
    }
}
