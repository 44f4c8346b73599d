package dev.kiln.runtime.bundle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * A classifier's probability calibration: a monotone map per class from the model's probability to the share of rows
 * of that class observed at that probability, fitted on held-out rows when the model was trained. The bundle's
 * {@value BundleManifest#CALIBRATION_FILE}, from format 1.3 on; older bundles have none. One implementation serves
 * both of its uses: the runtime applies it to the probabilities it returns when {@code applied} (format 1.4), and
 * performance estimation before labels (CBPE) rests on it: with calibrated probabilities, the expected accuracy of a
 * set of rows is the mean calibrated probability of each row's predicted class.
 *
 * <p>{@code method}: {@code isotonic} or {@code platt} when at least one class was fitted with that kind of map;
 * {@code identity} when the held-out rows were checked and the model's own probabilities kept, because neither map
 * beat them (by cross-validated log loss); {@code none} when nothing could be fitted (then {@code notes} say why, and
 * estimation reports the calibration as unavailable). {@code fittedOn} names the rows (held-out rows; never the test
 * rows), {@code rows} how many. {@code maps}: binary models have one, for P(positive class); multiclass models one
 * per class, in the manifest's class order (one-vs-rest), whose outputs are renormalised to sum to one, as
 * scikit-learn's {@code CalibratedClassifierCV} does.
 *
 * <p>{@code applied} (JSON {@code "applied"}, absent in format 1.3 and read as false): the probabilities the runtime
 * returns are the calibrated ones, and the predicted class follows them. Format 1.3 bundles keep returning the
 * model's raw probabilities and only CBPE uses their map.
 */
public record Calibration(
        String method,
        @JsonProperty("fitted_on") String fittedOn,
        long rows,
        List<ClassMap> maps,
        List<String> notes,
        boolean applied) {

    public static final String ISOTONIC = "isotonic";
    public static final String PLATT = "platt";
    public static final String IDENTITY = "identity";
    public static final String NONE = "none";
    /** Platt maps clip the model's probability to [EPS, 1 - EPS] before its logit, so 0 and 1 stay finite. */
    public static final double PLATT_EPS = 1e-9;

    public Calibration {
        maps = maps == null ? List.of() : List.copyOf(maps);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** A calibration that CBPE uses and the runtime does not apply (what format 1.3 wrote). */
    public Calibration(String method, String fittedOn, long rows, List<ClassMap> maps, List<String> notes) {
        this(method, fittedOn, rows, maps, notes, false);
    }

    /**
     * One class's map: {@code identity} (the class had too few held-out rows on one side to fit); {@code isotonic},
     * a non-decreasing piecewise-linear function through the points ({@code x[i]}, {@code y[i]}), constant beyond the
     * first and last {@code x} (as scikit-learn's {@code IsotonicRegression(out_of_bounds="clip")}); or {@code platt},
     * {@code q = sigmoid(a * logit(p) + b)} with {@code p} clipped to [{@link #PLATT_EPS}, 1 - {@link #PLATT_EPS}]
     * (Platt 1999, as scikit-learn's {@code _SigmoidCalibration} fitted on the logit of the model's probability),
     * {@code a >= 0} so the map is monotone. {@code positives} and {@code negatives}: the held-out rows of the class
     * and of the others.
     */
    public record ClassMap(@JsonProperty("class") String className, String method, double[] x, double[] y,
                           long positives, long negatives, Double a, Double b) {

        /** An isotonic or identity map (what format 1.3 wrote). */
        public ClassMap(String className, String method, double[] x, double[] y, long positives, long negatives) {
            this(className, method, x, y, positives, negatives, null, null);
        }

        public static ClassMap platt(String className, double a, double b, long positives, long negatives) {
            return new ClassMap(className, PLATT, null, null, positives, negatives, a, b);
        }

        public double apply(double p) {
            if (Double.isNaN(p)) {
                return p;
            }
            if (PLATT.equals(method) && a != null && b != null) {
                return sigmoid(a * logit(p) + b);
            }
            if (ISOTONIC.equals(method) && x != null && x.length > 0) {
                return interpolate(x, y, p);
            }
            return p;
        }

        @JsonIgnore
        public boolean fitted() {
            return ISOTONIC.equals(method) || PLATT.equals(method);
        }
    }

    /** True when at least one class map changes the model's probabilities. */
    @JsonIgnore
    public boolean transforms() {
        return (ISOTONIC.equals(method) || PLATT.equals(method)) && maps.stream().anyMatch(ClassMap::fitted);
    }

    /**
     * True when probabilities calibrated by this are trustworthy as such, what CBPE needs: a map was fitted, or the
     * raw probabilities were checked against the maps and kept ({@code identity}, applied).
     */
    @JsonIgnore
    public boolean available() {
        return transforms() || applied && IDENTITY.equals(method);
    }

    /**
     * The calibrated probabilities of one row, in the manifest's class order, from the model's ({@code raw}, same
     * order). Binary: the positive class's (index 1) map, the negative class taking the rest. Multiclass: each class's
     * map, renormalised to sum to one (the raw row when every calibrated value is zero). Without a fitted map: a copy
     * of {@code raw}.
     */
    public double[] apply(double[] raw) {
        if (!transforms()) {
            return raw.clone();
        }
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
        if (!ISOTONIC.equals(method) && !PLATT.equals(method) && !IDENTITY.equals(method) && !NONE.equals(method)) {
            throw new IllegalStateException("calibration method '" + method + "' is not isotonic, platt, identity or none");
        }
        if (NONE.equals(method)) {
            if (applied) {
                throw new IllegalStateException("calibration method 'none' cannot be applied");
            }
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
            if (!method.equals(m.method())) {
                throw new IllegalStateException("calibration map of class '" + cls + "' is " + m.method()
                        + "; a " + method + " calibration's maps are " + method + " or identity");
            }
            if (PLATT.equals(method)) {
                validatePlatt(cls, m);
            } else {
                validateIsotonic(cls, m);
            }
        }
    }

    private static void validatePlatt(String cls, ClassMap m) {
        if (m.a() == null || m.b() == null || !Double.isFinite(m.a()) || !Double.isFinite(m.b()) || m.a() < 0) {
            throw new IllegalStateException("platt calibration map of class '" + cls + "' needs finite a >= 0 and b");
        }
    }

    private static void validateIsotonic(String cls, ClassMap m) {
        if (m.x() == null || m.y() == null || m.x().length == 0 || m.x().length != m.y().length) {
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

    /** The logit of {@code p} clipped to [{@link #PLATT_EPS}, 1 - {@link #PLATT_EPS}]: what Platt maps are fitted on. */
    public static double logit(double p) {
        double c = Math.min(1 - PLATT_EPS, Math.max(PLATT_EPS, p));
        return Math.log(c / (1 - c));
    }

    /** The logistic function, without overflow for large |z|. */
    public static double sigmoid(double z) {
        if (z >= 0) {
            return 1 / (1 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1 + e);
    }

    private static double clamp(double p) {
        return Double.isNaN(p) ? p : Math.min(1, Math.max(0, p));
    }
}
