package dev.kiln.spark.sketch;

/**
 * Count, mean and sum of squared deviations of a column's present values: Welford's update value by value within a
 * partition and Chan, Golub and LeVeque's pairwise formula ("Updating formulae and a pairwise algorithm for computing
 * sample variances", 1979) to merge partitions, so that the merged mean and variance are those of all the values,
 * to rounding, whatever the partitioning. Sample variance is {@code m2 / (n - 1)} (ddof = 1, as kiln-data's Profiler).
 */
final class Moments {
    private long n;
    private double mean;
    private double m2;

    void add(double x) {
        n++;
        double delta = x - mean;
        mean += delta / n;
        m2 += delta * (x - mean);
    }

    void merge(State o) {
        if (o.n() == 0) {
            return;
        }
        if (n == 0) {
            n = o.n();
            mean = o.mean();
            m2 = o.m2();
            return;
        }
        long total = n + o.n();
        double delta = o.mean() - mean;
        mean += delta * ((double) o.n() / total);
        m2 += o.m2() + delta * delta * ((double) n * o.n() / total);
        n = total;
    }

    long count() {
        return n;
    }

    /** NaN when no values. */
    double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** Sample standard deviation; NaN below two values. */
    double std() {
        return n < 2 ? Double.NaN : Math.sqrt(Math.max(m2, 0.0) / (n - 1));
    }

    State state() {
        return new State(n, mean, m2);
    }

    record State(long n, double mean, double m2) {
    }
}
