package dev.kiln.runtime.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * How far to trust a classifier's probabilities: a monotone map per class from the model's probability to the
 * share of rows of that class observed at that probability, fitted on held-out rows when the model was trained.
 * What performance estimation before labels (CBPE) needs: with calibrated probabilities, the expected accuracy of a
 * set of rows is the mean calibrated probability of each row's predicted class. The bundle's
 * {@value BundleManifest#CALIBRATION_FILE}, from format 1.3 on; older bundles have none.
 *
 * <p>{@code method}: {@code isotonic} when at least one class was fitted, {@code none} when none could be (then
 * {@code notes} say why, and estimation reports the calibration as unavailable). {@code fittedOn} names the rows
 * (the validation rows; never the test rows), {@code rows} how many. {@code maps}: binary models have one, for
 * P(positive class); multiclass models one per class, in the manifest's class order, whose outputs are renormalised
 * to sum to one.
 */
public record Calibration(
        String method,
        @JsonProperty("fitted_on") String fittedOn,
        long rows,
        List<ClassMap> maps,
        List<String> notes) {

    public static final String ISOTONIC = "isotonic";
    public static final String NONE = "none";
    public static final String IDENTITY = "identity";

    public Calibration {
        maps = maps == null ? List.of() : List.copyOf(maps);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * One class's map: {@code identity} (the class had too few held-out rows on one side to fit) or {@code isotonic},
     * a non-decreasing piecewise-linear function through the points ({@code x[i]}, {@code y[i]}), constant beyond the
     * first and last {@code x} (as scikit-learn's {@code IsotonicRegression(out_of_bounds="clip")}). {@code positives}
     * and {@code negatives}: the held-out rows of the class and of the others.
     */
    public record ClassMap(@JsonProperty("class") String className, String method, double[] x, double[] y,
                           long positives, long negatives) {
        public double apply(double p) {
            if (!IDENTITY.equals(method) && x != null && x.length > 0 && !Double.isNaN(p)) {
                return interpolate(x, y, p);
            }
            return p;
        }

        @JsonIgnore
        public boolean fitted() {
            return ISOTONIC.equals(method);
        }
    }

    /** True when at least one class was fitted: the probabilities it gives are calibrated. */
    @JsonIgnore
    public boolean available() {
        return ISOTONIC.equals(method) && maps.stream().anyMatch(ClassMap::fitted);
    }

    /**
     * The calibrated probabilities of one row, in the manifest's class order, from the model's ({@code raw}, same
     * order). Binary: the positive class's (index 1) map, the negative class taking the rest. Multiclass: each class's
     * map, renormalised to sum to one (the raw row when every calibrated value is zero).
     */
    public double[] apply(double[] raw) {
        if (maps.size() == 1 && raw.length == 2) {
            double q = clamp(maps.get(0).apply(raw[1]));
            return new double[] {1 - q, q};
        }
        if (maps.size() != raw.length) {
            throw new IllegalArgumentException("calibration has " + maps.size() + " classes, the row " + raw.length);
        }
        double[] q = new double[raw.length];
        double sum = 0;
        for (int k = 0; k < raw.length; k++) {
            q[k] = clamp(maps.get(k).apply(raw[k]));
            sum += q[k];
        }
        if (!(sum > 0)) {
            return raw.clone();
        }
        for (int k = 0; k < q.length; k++) {
            q[k] /= sum;
        }
        return q;
    }

    /** Checks the structure of a loaded calibration against the model's classes; throws IllegalStateException. */
    public void validate(List<String> classes) {
        if (!ISOTONIC.equals(method) && !NONE.equals(method)) {
            throw new IllegalStateException("calibration method '" + method + "' is not isotonic or none");
        }
        if (NONE.equals(method)) {
            return;
        }
        int expected = classes == null ? -1 : classes.size() == 2 ? 1 : classes.size();
        if (maps.size() != expected) {
            throw new IllegalStateException("calibration has " + maps.size() + " class maps; the model's " + classes
                    + " need " + expected);
        }
        for (int k = 0; k < maps.size(); k++) {
            ClassMap m = maps.get(k);
            String cls = expected == 1 ? classes.get(1) : classes.get(k);
            if (!cls.equals(m.className())) {
                throw new IllegalStateException("calibration map " + k + " is for class '" + m.className() + "', expected '" + cls + "'");
            }
            if (IDENTITY.equals(m.method())) {
                continue;
            }
            if (!ISOTONIC.equals(m.method()) || m.x() == null || m.y() == null || m.x().length == 0
                    || m.x().length != m.y().length) {
                throw new IllegalStateException("calibration map of class '" + cls + "' needs method isotonic or identity "
                        + "and x, y of the same non-zero length");
            }
            for (int i = 0; i < m.x().length; i++) {
                if (!Double.isFinite(m.x()[i]) || !(m.y()[i] >= 0 && m.y()[i] <= 1)
                        || i > 0 && (m.x()[i] <= m.x()[i - 1] || m.y()[i] < m.y()[i - 1])) {
                    throw new IllegalStateException("calibration map of class '" + cls + "' is not increasing in x and "
                            + "non-decreasing in y within [0, 1] at point " + i);
                }
            }
        }
    }

    /** Piecewise-linear through ({@code x}, {@code y}) (x strictly increasing), constant beyond both ends. */
    static double interpolate(double[] x, double[] y, double v) {
        int last = x.length - 1;
        if (v <= x[0]) {
            return y[0];
        }
        if (v >= x[last]) {
            return y[last];
        }
        int i = Arrays.binarySearch(x, v);
        if (i >= 0) {
            return y[i];
        }
        int hi = -i - 1;
        int lo = hi - 1;
        double t = (v - x[lo]) / (x[hi] - x[lo]);
        return y[lo] + t * (y[hi] - y[lo]);
    }

    private static double clamp(double p) {
        return Double.isNaN(p) ? p : Math.min(1, Math.max(0, p));
    }
}
