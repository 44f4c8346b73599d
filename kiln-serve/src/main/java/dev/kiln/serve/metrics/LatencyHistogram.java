package dev.kiln.serve.metrics;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A model's scoring latencies as the buckets of its {@code kiln_request_seconds} histogram: cumulative counts at each
 * upper bound, as scraped. Two readings subtract ({@link #minus}) to the requests between them, whose quantiles are
 * estimated as Prometheus's {@code histogram_quantile} does: linearly within the bucket the rank falls in (the first
 * bucket from 0). The buckets are Micrometer's, from 1 ms up, so a quantile under 1 ms is such an estimate.
 */
public final class LatencyHistogram {
    public static final LatencyHistogram EMPTY = new LatencyHistogram(new double[0], new double[0], 0, 0);

    private final double[] upperSeconds;
    private final double[] cumulative;
    private final long count;
    private final double totalSeconds;

    LatencyHistogram(double[] upperSeconds, double[] cumulative, long count, double totalSeconds) {
        this.upperSeconds = upperSeconds;
        this.cumulative = cumulative;
        this.count = count;
        this.totalSeconds = totalSeconds;
    }

    /**
     * A histogram of {@code count} requests taking {@code totalSeconds} in all, with {@code cumulative[i]} of them at or
     * under {@code upperSeconds[i]} (increasing bounds).
     */
    public static LatencyHistogram of(double[] upperSeconds, double[] cumulative, long count, double totalSeconds) {
        if (upperSeconds.length != cumulative.length) {
            throw new IllegalArgumentException("one count per bucket bound");
        }
        return new LatencyHistogram(upperSeconds.clone(), cumulative.clone(), count, totalSeconds);
    }

    static LatencyHistogram of(HistogramSnapshot s) {
        CountAtBucket[] buckets = s.histogramCounts();
        double[] upper = new double[buckets.length];
        double[] counts = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            upper[i] = buckets[i].bucket(TimeUnit.SECONDS);
            counts[i] = buckets[i].count();
        }
        return new LatencyHistogram(upper, counts, s.count(), s.total(TimeUnit.SECONDS));
    }

    /** Requests measured. */
    public long count() {
        return count;
    }

    /** Their total time in seconds. */
    public double totalSeconds() {
        return totalSeconds;
    }

    /** The requests measured since {@code earlier} (a reading of the same histogram; null or empty: all of these). */
    public LatencyHistogram minus(LatencyHistogram earlier) {
        if (earlier == null || earlier.upperSeconds.length == 0) {
            return this;
        }
        if (!Arrays.equals(upperSeconds, earlier.upperSeconds) || earlier.count > count) {
            return this; // another histogram (the model was unloaded and served again): start over
        }
        double[] diff = new double[cumulative.length];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = Math.max(0, cumulative[i] - earlier.cumulative[i]);
        }
        return new LatencyHistogram(upperSeconds, diff, count - earlier.count, totalSeconds - earlier.totalSeconds);
    }

    /**
     * The {@code q} quantile (0 to 1) in seconds, interpolated within its bucket; NaN without requests. A rank above
     * the last bucket's bound (slower than every bucket) answers that bound.
     */
    public double quantileSeconds(double q) {
        if (count == 0 || upperSeconds.length == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        double lowerBound = 0;
        double below = 0;
        for (int i = 0; i < upperSeconds.length; i++) {
            if (cumulative[i] >= rank && cumulative[i] > below) {
                return lowerBound + (upperSeconds[i] - lowerBound) * (rank - below) / (cumulative[i] - below);
            }
            lowerBound = upperSeconds[i];
            below = cumulative[i];
        }
        return upperSeconds[upperSeconds.length - 1];
    }
}
