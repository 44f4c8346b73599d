package dev.kiln.train.linear;

/**
 * Ridge regression by the normal equations: centre x and y (so the intercept is not penalised), solve
 * {@code (Xc'Xc + alpha I) w = Xc'yc} by Cholesky, intercept {@code mean(y) - w . mean(x)}. With row weights s,
 * weighted least squares as scikit-learn's {@code Ridge.fit(X, y, sample_weight)}: weighted means, and
 * {@code (Xc' S Xc + alpha I) w = Xc' S yc}.
 */
final class Ridge {
    /** Weights, intercept, and the alpha the solve finally used. */
    record Solution(double[] weights, double intercept, double alpha) {
    }

    /** How many times alpha is multiplied by ten when the matrix is numerically not positive definite. */
    private static final int MAX_RETRIES = 12;

    private Ridge() {
    }

    /**
     * @param relativeAlpha the ridge strength relative to the mean diagonal of Xc'Xc, so that it means the
     *                      same whatever the number of rows and the feature scale
     */
    static Solution fit(double[][] x, double[] y, int width, double relativeAlpha) {
        return fit(x, y, null, width, relativeAlpha);
    }

    /** As above with {@code rowWeights} (null: every row weighs 1, the same arithmetic as unweighted). */
    static Solution fit(double[][] x, double[] y, double[] rowWeights, int width, double relativeAlpha) {
        int n = x.length;
        double[] meanX = new double[width];
        double meanY = 0.0;
        double total = 0.0;
        for (int i = 0; i < n; i++) {
            double s = rowWeights == null ? 1.0 : rowWeights[i];
            for (int j = 0; j < width; j++) {
                meanX[j] += s * x[i][j];
            }
            meanY += s * y[i];
            total += s;
        }
        if (!(total > 0)) { // every weight 0: the unweighted fit is the only sensible one
            return fit(x, y, null, width, relativeAlpha);
        }
        for (int j = 0; j < width; j++) {
            meanX[j] /= total;
        }
        meanY /= total;

        double[][] gram = new double[width][width]; // upper triangle filled, then mirrored
        double[] rhs = new double[width];
        double[] centred = new double[width];
        for (int i = 0; i < n; i++) {
            double[] row = x[i];
            for (int j = 0; j < width; j++) {
                centred[j] = row[j] - meanX[j];
            }
            double s = rowWeights == null ? 1.0 : rowWeights[i];
            double target = y[i] - meanY;
            for (int a = 0; a < width; a++) {
                double va = centred[a];
                if (va == 0.0) {
                    continue;
                }
                double[] gramRow = gram[a];
                double sva = s * va;
                for (int b = a; b < width; b++) {
                    gramRow[b] += sva * centred[b];
                }
                rhs[a] += sva * target;
            }
        }
        double trace = 0.0;
        for (int a = 0; a < width; a++) {
            trace += gram[a][a];
            for (int b = a + 1; b < width; b++) {
                gram[b][a] = gram[a][b];
            }
        }
        // With all features constant the gram matrix is zero and any positive alpha gives w = 0.
        double alpha = trace > 0.0 ? relativeAlpha * trace / width : 1.0;
        double[] weights = new double[width];
        boolean solved = width == 0;
        for (int attempt = 0; attempt <= MAX_RETRIES && !solved; attempt++, alpha *= 10.0) {
            double[][] factor = cholesky(gram, alpha);
            if (factor != null) {
                weights = solve(factor, rhs);
                solved = true;
                break;
            }
        }
        if (!solved) { // numerically hopeless: predict the mean
            weights = new double[width];
        }
        double intercept = meanY;
        for (int j = 0; j < width; j++) {
            intercept -= weights[j] * meanX[j];
        }
        return new Solution(weights, intercept, solved ? alpha : Double.NaN);
    }

    /** Lower-triangular L with L L' = A + alpha I, or null when a pivot is not positive. */
    static double[][] cholesky(double[][] a, double alpha) {
        int m = a.length;
        double[][] l = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j] + (i == j ? alpha : 0.0);
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > 0.0) || !Double.isFinite(sum)) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** Solves L L' w = b by forward then backward substitution. */
    static double[] solve(double[][] l, double[] b) {
        int m = b.length;
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * z[k];
            }
            z[i] = sum / l[i][i];
        }
        double[] w = new double[m];
        for (int i = m - 1; i >= 0; i--) {
            double sum = z[i];
            for (int k = i + 1; k < m; k++) {
                sum -= l[k][i] * w[k];
            }
            w[i] = sum / l[i][i];
        }
        return w;
    }
}
