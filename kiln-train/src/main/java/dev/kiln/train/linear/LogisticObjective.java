package dev.kiln.train.linear;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * L2-regularised logistic loss, summed over rows as scikit-learn's {@code LogisticRegression} does:
 * {@code C * sum_i loss_i + 0.5 * sum ||w_k||^2}, intercepts not penalised; with row weights
 * {@code C * sum_i s_i loss_i + ...}, as its {@code fit(X, y, sample_weight)}. With one output it is binary
 * logistic regression (label 1 positive); with k outputs the multinomial (softmax) cross-entropy.
 *
 * <p>The optimiser works on standardised coordinates {@code theta_j = w_j * s_j} with the intercept
 * absorbing the column means ({@code z = b' + sum theta_j (x_j - m_j) / s_j}). This is only a change of
 * variables (the penalty becomes {@code 0.5 * sum theta_j^2 / s_j^2}), so the minimiser is exactly the
 * same, but L-BFGS converges quickly even when the pipeline did not scale some columns. Parameters are laid
 * out per output as {@code [theta_0 .. theta_(p-1), b']}.
 *
 * <p>Rows are processed in fixed chunks, possibly in parallel, and the chunk sums are added in chunk
 * order, so the result does not depend on the number of threads.
 */
final class LogisticObjective implements Lbfgs.Objective {
    private static final int MIN_CHUNK = 2048;
    private static final int MAX_CHUNKS = 64;

    private final double[][] x;
    private final int[] y;
    private final int outputs;
    private final int width;
    private final double c;
    /** Per-row weights of the loss, or null (every row weighs 1). */
    private final double[] rowWeights;
    private final double[] mean;
    private final double[] scale;
    private final int chunkSize;
    private final int chunks;

    LogisticObjective(double[][] x, int[] y, int outputs, int width, double c) {
        this(x, y, outputs, width, c, null);
    }

    /** {@code rowWeights}: one weight per row, or null; the standardisation stays unweighted (a change of variables only). */
    LogisticObjective(double[][] x, int[] y, int outputs, int width, double c, double[] rowWeights) {
        this.x = x;
        this.rowWeights = rowWeights;
        this.y = y;
        this.outputs = outputs;
        this.width = width;
        this.c = c;
        this.mean = new double[width];
        this.scale = new double[width];
        standardisation(x, width, mean, scale);
        this.chunkSize = Math.max(MIN_CHUNK, (x.length + MAX_CHUNKS - 1) / MAX_CHUNKS);
        this.chunks = (x.length + chunkSize - 1) / chunkSize;
    }

    int dimension() {
        return outputs * (width + 1);
    }

    /** Weights of output o on the original feature scale. */
    double[] weights(double[] theta, int o) {
        double[] w = new double[width];
        for (int j = 0; j < width; j++) {
            w[j] = theta[o * (width + 1) + j] / scale[j];
        }
        return w;
    }

    /** Intercept of output o on the original feature scale. */
    double intercept(double[] theta, int o) {
        double b = theta[o * (width + 1) + width];
        for (int j = 0; j < width; j++) {
            b -= theta[o * (width + 1) + j] / scale[j] * mean[j];
        }
        return b;
    }

    @Override
    public double evaluate(double[] theta, double[] gradient) {
        int stride = width + 1;
        // Effective parameters on the original scale, so the row loop costs the same as without standardising.
        double[] effective = new double[theta.length];
        for (int o = 0; o < outputs; o++) {
            System.arraycopy(weights(theta, o), 0, effective, o * stride, width);
            effective[o * stride + width] = intercept(theta, o);
        }
        double[] losses = new double[chunks];
        double[][] gradients = new double[chunks][theta.length];
        IntStream.range(0, chunks).parallel().forEach(k -> losses[k] = chunk(k, effective, gradients[k]));
        double loss = 0.0;
        Arrays.fill(gradient, 0.0);
        for (int k = 0; k < chunks; k++) {
            loss += losses[k];
            double[] part = gradients[k];
            for (int j = 0; j < gradient.length; j++) {
                gradient[j] += part[j];
            }
        }
        // Chain rule to standardised coordinates: d/dtheta_j = (sum r x_j - m_j sum r) / s_j.
        double penalty = 0.0;
        for (int o = 0; o < outputs; o++) {
            int base = o * stride;
            double residualSum = gradient[base + width];
            for (int j = 0; j < width; j++) {
                double t = theta[base + j];
                double s2 = scale[j] * scale[j];
                gradient[base + j] = c * (gradient[base + j] - mean[j] * residualSum) / scale[j] + t / s2;
                penalty += t * t / s2;
            }
            gradient[base + width] = c * residualSum;
        }
        return c * loss + 0.5 * penalty;
    }

    /** Unscaled loss of one chunk of rows; adds sum r_i x_i and sum r_i (r = d loss / d margin) into g. */
    private double chunk(int k, double[] params, double[] g) {
        int from = k * chunkSize;
        int to = Math.min(x.length, from + chunkSize);
        int stride = width + 1;
        double[] margins = new double[outputs];
        double loss = 0.0;
        for (int i = from; i < to; i++) {
            double[] row = x[i];
            double s = rowWeights == null ? 1.0 : rowWeights[i];
            if (s == 0.0) {
                continue;
            }
            for (int o = 0; o < outputs; o++) {
                int base = o * stride;
                double z = params[base + width];
                for (int j = 0; j < width; j++) {
                    z += params[base + j] * row[j];
                }
                margins[o] = z;
            }
            if (outputs == 1) {
                double z = margins[0];
                // log(1 + exp(-z)) for y = 1, log(1 + exp(z)) for y = 0, in a stable form.
                double signed = y[i] == 1 ? -z : z;
                loss += s * (signed > 0 ? signed + Math.log1p(Math.exp(-signed)) : Math.log1p(Math.exp(signed)));
                margins[0] = s * (sigmoid(z) - y[i]);
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (double z : margins) {
                    max = Math.max(max, z);
                }
                double sum = 0.0;
                for (int o = 0; o < outputs; o++) {
                    sum += Math.exp(margins[o] - max);
                }
                double logSum = max + Math.log(sum);
                loss += s * (logSum - margins[y[i]]);
                for (int o = 0; o < outputs; o++) {
                    margins[o] = Math.exp(margins[o] - logSum);
                }
                margins[y[i]] -= 1.0;
                if (s != 1.0) {
                    for (int o = 0; o < outputs; o++) {
                        margins[o] *= s;
                    }
                }
            }
            for (int o = 0; o < outputs; o++) {
                double r = margins[o];
                if (r == 0.0) {
                    continue;
                }
                int base = o * stride;
                for (int j = 0; j < width; j++) {
                    g[base + j] += r * row[j];
                }
                g[base + width] += r;
            }
        }
        return loss;
    }

    /** Column means and standard deviations; a constant column gets scale 1 (its weight is 0 anyway). */
    private static void standardisation(double[][] x, int width, double[] mean, double[] scale) {
        int n = x.length;
        for (double[] row : x) {
            for (int j = 0; j < width; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= n;
        }
        for (double[] row : x) {
            for (int j = 0; j < width; j++) {
                double d = row[j] - mean[j];
                scale[j] += d * d;
            }
        }
        for (int j = 0; j < width; j++) {
            double sd = Math.sqrt(scale[j] / n);
            scale[j] = sd > 0.0 && Double.isFinite(sd) ? sd : 1.0;
        }
    }

    private static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }
}
