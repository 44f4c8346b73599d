package dev.kiln.train.ensemble;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.LinearEstimator;
import java.util.List;
import java.util.Map;

/**
 * Moves a linear model from the standardising pipeline it was trained on to the unscaled pipeline the trees read, so
 * that an ensemble's members can share one feature vector. A numeric feature {@code s = (v - c_s) / d_s} in the scaled
 * pipeline is {@code u = (v - c_u) / d_u} in the other (usually {@code c_u = 0, d_u = 1}), so {@code s = a u + b} with
 * {@code a = d_u / d_s}, {@code b = (c_u - c_s) / d_s}; then {@code w s = (w a) u + w b}: the weight becomes {@code w a},
 * the intercept gains {@code w b}, and the training mean becomes {@code (mean_s - b) / a}. Outputs are unchanged (to
 * rounding) and so are the contributions, {@code w a (u - mean_u) = w (s - mean_s)}. Every other feature (missing
 * indicators, one-hot levels, date parts) is identical in both pipelines and kept as it is.
 */
public final class LinearRescaling {
    private LinearRescaling() {
    }

    /**
     * @throws KilnException {@code invalid_argument} naming the column when the pipelines differ other than by scaling
     *                       (another column, another kind of transform, other levels, fills or indicators), or the
     *                       model's width is not the pipelines'
     */
    public static LinearEstimator toUnscaled(LinearEstimator model, FeaturePipeline scaled, FeaturePipeline unscaled) {
        List<FeatureTransform> from = scaled.transforms();
        List<FeatureTransform> to = unscaled.transforms();
        if (from.size() != to.size() || scaled.width() != unscaled.width()) {
            throw mismatch("the scaled pipeline has " + from.size() + " transforms and " + scaled.width()
                    + " features, the unscaled one " + to.size() + " and " + unscaled.width(), null);
        }
        if (model.inputWidth() != scaled.width()) {
            throw mismatch("the linear model reads " + model.inputWidth() + " features, the pipelines make "
                    + scaled.width(), null);
        }
        int width = scaled.width();
        double[] a = new double[width];
        double[] b = new double[width];
        java.util.Arrays.fill(a, 1.0);
        int offset = 0;
        for (int t = 0; t < from.size(); t++) {
            FeatureTransform s = from.get(t);
            FeatureTransform u = to.get(t);
            if (!s.column().equals(u.column()) || s.getClass() != u.getClass()) {
                throw mismatch("transform " + t + " is " + describe(s) + " in the scaled pipeline but " + describe(u)
                        + " in the unscaled one", s.column());
            }
            if (s instanceof FeatureTransform.Numeric sn) {
                FeatureTransform.Numeric un = (FeatureTransform.Numeric) u;
                if (Double.compare(sn.fill(), un.fill()) != 0 || sn.missingIndicator() != un.missingIndicator()) {
                    throw mismatch("numeric column '" + s.column() + "' is imputed differently (fill " + sn.fill() + " vs "
                            + un.fill() + ", indicator " + sn.missingIndicator() + " vs " + un.missingIndicator() + ")",
                            s.column());
                }
                a[offset] = un.scale() / sn.scale();
                b[offset] = (un.center() - sn.center()) / sn.scale();
            } else if (!s.equals(u)) {
                throw mismatch("column '" + s.column() + "' is encoded differently in the two pipelines (" + s + " vs " + u
                        + ")", s.column());
            }
            offset += s.outputNames().size();
        }
        double[][] weights = model.weights();
        double[] intercepts = model.intercepts();
        double[][] w2 = new double[weights.length][width];
        double[] b2 = intercepts.clone();
        for (int k = 0; k < weights.length; k++) {
            for (int f = 0; f < width; f++) {
                w2[k][f] = weights[k][f] * a[f];
                b2[k] += weights[k][f] * b[f];
            }
        }
        double[] means = null;
        if (model.featureMeans() != null) {
            means = new double[width];
            for (int f = 0; f < width; f++) {
                means[f] = (model.featureMeans()[f] - b[f]) / a[f];
            }
        }
        return new LinearEstimator(w2, b2, model.link(), means);
    }

    private static String describe(FeatureTransform t) {
        return t.getClass().getSimpleName() + " of '" + t.column() + "'";
    }

    private static KilnException mismatch(String why, String column) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT,
                "cannot move the linear model to the unscaled pipeline: " + why,
                column == null ? Map.of() : Map.of("column", column));
    }
}
