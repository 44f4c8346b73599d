package dev.kiln.train.calibration;

import java.util.Arrays;

/**
 * Isotonic regression by pool adjacent violators: the non-decreasing function of {@code x} closest to {@code y} in
 * (weighted) least squares. Rows with the same {@code x} are pooled first, so the fit is a function of {@code x}.
 */
public final class Isotonic {
    private Isotonic() {
    }

    /** The fit as points for piecewise-linear interpolation: strictly increasing {@code x}, non-decreasing {@code y}. */
    public record Fit(double[] x, double[] y) {
    }

    /**
     * Fits {@code y} (targets, here 0 or 1) against {@code x} (finite scores). Returns each block's first and last
     * distinct x with the block's mean: interpolating between them gives the step function of the fit, with linear
     * ramps across the gaps between blocks (as scikit-learn's {@code IsotonicRegression}).
     */
    public static Fit fit(double[] x, double[] y) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        // Pool equal x: one point each, weighted by its rows.
        double[] xs = new double[n];
        double[] ys = new double[n];
        double[] ws = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            double xi = x[order[i]];
            if (m > 0 && xs[m - 1] == xi) {
                ys[m - 1] += y[order[i]];
                ws[m - 1] += 1;
            } else {
                xs[m] = xi;
                ys[m] = y[order[i]];
                ws[m] = 1;
                m++;
            }
        }
        for (int i = 0; i < m; i++) {
            ys[i] /= ws[i];
        }
        double[] fitted = pav(Arrays.copyOf(ys, m), Arrays.copyOf(ws, m));
        // Keep the first and last point of each run of equal fitted values: interpolation between them is the same.
        double[] outX = new double[m];
        double[] outY = new double[m];
        int k = 0;
        for (int i = 0; i < m; i++) {
            boolean startsRun = i == 0 || fitted[i] != fitted[i - 1];
            boolean endsRun = i == m - 1 || fitted[i] != fitted[i + 1];
            if (startsRun || endsRun) {
                outX[k] = xs[i];
                outY[k] = fitted[i];
                k++;
            }
        }
        return new Fit(Arrays.copyOf(outX, k), Arrays.copyOf(outY, k));
    }

    /**
     * Pool adjacent violators over values {@code y} in order, with weights {@code w}: the non-decreasing sequence
     * minimising {@code sum w (fit - y)^2}. Linear time: a stack of blocks, merged while the last two violate.
     */
    public static double[] pav(double[] y, double[] w) {
        int n = y.length;
        double[] mean = new double[n];
        double[] weight = new double[n];
        int[] size = new int[n];
        int top = -1;
        for (int i = 0; i < n; i++) {
            top++;
            mean[top] = y[i];
            weight[top] = w[i];
            size[top] = 1;
            while (top > 0 && mean[top - 1] > mean[top]) {
                double total = weight[top - 1] + weight[top];
                mean[top - 1] = (mean[top - 1] * weight[top - 1] + mean[top] * weight[top]) / total;
                weight[top - 1] = total;
                size[top - 1] += size[top];
                top--;
            }
        }
        double[] out = new double[n];
        int i = 0;
        for (int b = 0; b <= top; b++) {
            for (int j = 0; j < size[b]; j++) {
                out[i++] = mean[b];
            }
        }
        return out;
    }
}
