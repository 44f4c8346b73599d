package dev.kiln.train.linear;

/**
 * A small limited-memory BFGS minimiser with a strong-Wolfe line search (Nocedal and Wright, algorithms
 * 7.4, 3.5 and 3.6, with safeguarded cubic interpolation). Deterministic: no randomness, fixed order of
 * operations.
 */
final class Lbfgs {
    /** A smooth function: returns f(x) and writes its gradient into {@code gradient}. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    /** Outcome of a minimisation; {@code converged} is false when it stopped on the iteration limit or a failed line search. */
    record Result(double[] x, double value, int iterations, boolean converged) {
    }

    private static final int MEMORY = 10;
    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LINE_SEARCH = 40;
    /** Relative function decrease below which progress has stalled at rounding level (as scipy's ftol with sklearn). */
    private static final double FUNCTION_TOLERANCE = 64 * Math.ulp(1.0);

    private final int maxIterations;
    private final double gradientTolerance;

    /**
     * @param gradientTolerance stop when {@code max|g| <= gradientTolerance * max(1, max|g0|)}, g0 the
     *                          gradient at the start
     */
    Lbfgs(int maxIterations, double gradientTolerance) {
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
    }

    Result minimize(Objective objective, double[] start) {
        int dim = start.length;
        double[] x = start.clone();
        double[] g = new double[dim];
        double f = objective.evaluate(x, g);
        double stop = gradientTolerance * Math.max(1.0, maxAbs(g));

        double[][] s = new double[MEMORY][dim];
        double[][] y = new double[MEMORY][dim];
        double[] rho = new double[MEMORY];
        double[] alpha = new double[MEMORY];
        int stored = 0;
        int newest = -1;

        double[] direction = new double[dim];
        LineSearch search = new LineSearch(objective, dim);
        int iteration = 0;
        while (true) {
            if (maxAbs(g) <= stop) {
                return new Result(x, f, iteration, true);
            }
            if (iteration >= maxIterations) {
                return new Result(x, f, iteration, false);
            }
            // Two-loop recursion: direction = -H g.
            for (int i = 0; i < dim; i++) {
                direction[i] = -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(newest - k, MEMORY);
                alpha[j] = rho[j] * dot(s[j], direction);
                axpy(-alpha[j], y[j], direction);
            }
            double gamma = stored == 0 ? 1.0 : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            for (int i = 0; i < dim; i++) {
                direction[i] *= gamma;
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(newest - k, MEMORY);
                double beta = rho[j] * dot(y[j], direction);
                axpy(alpha[j] - beta, s[j], direction);
            }
            double slope = dot(g, direction);
            if (!(slope < 0.0)) { // not a descent direction (rounding): restart from steepest descent
                stored = 0;
                for (int i = 0; i < dim; i++) {
                    direction[i] = -g[i];
                }
                slope = dot(g, direction);
            }
            double initialStep = stored == 0 ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
            double step = search.search(x, f, g, direction, slope, initialStep);
            if (Double.isNaN(step)) {
                return new Result(x, f, iteration, maxAbs(g) <= stop);
            }
            iteration++;
            double fNew = search.value;
            int slot = (newest + 1) % MEMORY;
            double sy = 0.0;
            for (int i = 0; i < dim; i++) {
                s[slot][i] = search.x[i] - x[i];
                y[slot][i] = search.gradient[i] - g[i];
                sy += s[slot][i] * y[slot][i];
            }
            System.arraycopy(search.x, 0, x, 0, dim);
            System.arraycopy(search.gradient, 0, g, 0, dim);
            double previous = f;
            f = fNew;
            if (sy > 0.0) { // keep the curvature pair only when it keeps H positive definite
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(stored + 1, MEMORY);
            }
            if (previous - f <= FUNCTION_TOLERANCE * Math.max(1.0, Math.max(Math.abs(f), Math.abs(previous)))) {
                return new Result(x, f, iteration, true);
            }
        }
    }

    /** Strong-Wolfe line search along a fixed direction; the accepted point is left in x, value, gradient. */
    private static final class LineSearch {
        private final Objective objective;
        private final double[] origin;
        private final double[] direction;
        final double[] x;
        final double[] gradient;
        double value;
        private double f0;
        private double slope0;

        LineSearch(Objective objective, int dim) {
            this.objective = objective;
            this.origin = new double[dim];
            this.direction = new double[dim];
            this.x = new double[dim];
            this.gradient = new double[dim];
        }

        /** Returns the accepted step, or NaN when no acceptable step was found. */
        double search(double[] from, double f, double[] g, double[] d, double slope, double initialStep) {
            System.arraycopy(from, 0, origin, 0, from.length);
            System.arraycopy(d, 0, direction, 0, d.length);
            f0 = f;
            slope0 = slope;
            double previousStep = 0.0;
            double previousValue = f;
            double previousSlope = slope;
            double step = initialStep;
            for (int i = 0; i < MAX_LINE_SEARCH; i++) {
                double slopeAt = evaluate(step);
                if (!Double.isFinite(value)) {
                    step = previousStep + 0.5 * (step - previousStep); // overflow: back off
                    continue;
                }
                if (value > f0 + C1 * step * slope0 || (i > 0 && value >= previousValue)) {
                    return zoom(previousStep, previousValue, previousSlope, step, value, slopeAt);
                }
                if (Math.abs(slopeAt) <= -C2 * slope0) {
                    return step;
                }
                if (slopeAt >= 0.0) {
                    return zoom(step, value, slopeAt, previousStep, previousValue, previousSlope);
                }
                previousStep = step;
                previousValue = value;
                previousSlope = slopeAt;
                step *= 2.0;
            }
            return Double.NaN;
        }

        /** Narrows [lo, hi], lo satisfying sufficient decrease, until a strong-Wolfe step is found. */
        private double zoom(double lo, double fLo, double dLo, double hi, double fHi, double dHi) {
            for (int i = 0; i < MAX_LINE_SEARCH; i++) {
                double step = cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi);
                double width = Math.abs(hi - lo);
                double lower = Math.min(lo, hi) + 0.1 * width;
                double upper = Math.max(lo, hi) - 0.1 * width;
                if (!(step >= lower && step <= upper)) {
                    step = 0.5 * (lo + hi);
                }
                double slopeAt = evaluate(step);
                if (value > f0 + C1 * step * slope0 || value >= fLo) {
                    hi = step;
                    fHi = value;
                    dHi = slopeAt;
                } else {
                    if (Math.abs(slopeAt) <= -C2 * slope0) {
                        return step;
                    }
                    if (slopeAt * (hi - lo) >= 0.0) {
                        hi = lo;
                        fHi = fLo;
                        dHi = dLo;
                    }
                    lo = step;
                    fLo = value;
                    dLo = slopeAt;
                }
                if (Math.abs(hi - lo) <= 1e-16 * Math.max(1.0, Math.abs(lo))) {
                    break;
                }
            }
            // Interval collapsed: accept lo when it decreased f (it satisfies sufficient decrease).
            if (lo > 0.0 && fLo < f0) {
                evaluate(lo);
                return lo;
            }
            return Double.NaN;
        }

        /** Evaluates the objective at origin + step * direction; returns the directional derivative. */
        private double evaluate(double step) {
            for (int i = 0; i < x.length; i++) {
                x[i] = origin[i] + step * direction[i];
            }
            value = objective.evaluate(x, gradient);
            return dot(gradient, direction);
        }

        /** Minimiser of the cubic through (a, fa, da) and (b, fb, db); NaN when it has none. */
        private static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
            double d1 = da + db - 3.0 * (fa - fb) / (a - b);
            double radicand = d1 * d1 - da * db;
            if (!(radicand >= 0.0)) {
                return Double.NaN;
            }
            double d2 = Math.copySign(Math.sqrt(radicand), b - a);
            return b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
        }
    }

    static double dot(double[] a, double[] b) {
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0.0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
