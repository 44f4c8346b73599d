package dev.kiln.train;

import dev.kiln.runtime.bundle.Calibration;
import java.util.ArrayList;
import java.util.List;

/** Applying a calibration to outputs in the estimator's layout, and selecting the rows a plan validated. */
final class Calibrated {
    private Calibrated() {
    }

    /**
     * {@code out} as the runtime serves it: through the calibration when it is applied. The estimator's layout is kept
     * (binary: {@code [P(positive)]}; multiclass: one probability per class), the calibration's is the class order.
     */
    static double[][] outputs(Calibration c, double[][] out) {
        if (c == null || !c.applied() || !c.transforms()) {
            return out;
        }
        double[][] calibrated = new double[out.length][];
        for (int i = 0; i < out.length; i++) {
            if (out[i].length == 1) {
                double p = out[i][0];
                calibrated[i] = new double[] {c.apply(new double[] {1 - p, p})[1]};
            } else {
                calibrated[i] = c.apply(out[i]);
            }
        }
        return calibrated;
    }

    static double[][] select(double[][] rows, boolean[] keep) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            if (keep[i]) {
                out.add(rows[i]);
            }
        }
        return out.toArray(new double[0][]);
    }

    static double[] select(double[] values, boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        double[] out = new double[n];
        int j = 0;
        for (int i = 0; i < values.length; i++) {
            if (keep[i]) {
                out[j++] = values[i];
            }
        }
        return out;
    }
}
