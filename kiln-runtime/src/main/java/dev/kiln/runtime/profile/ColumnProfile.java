package dev.kiln.runtime.profile;

import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.Values;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of one column. Numeric fields are null for string columns and vice versa. Quantile keys
 * are {@code p01, p05, p10, p25, p50, p75, p90, p95, p99}; datetimes are in epoch milliseconds.
 */
public record ColumnProfile(
        String name,
        String type,
        long count,
        long missing,
        long distinct,
        Double min,
        Double max,
        Double mean,
        Double std,
        Map<String, Double> quantiles,
        Histogram histogram,
        List<CategoryCount> topCategories) {

    /** Equal-width bins: {@code edges.length == counts.length + 1}; the last bin includes its right edge. */
    public record Histogram(double[] edges, long[] counts) {
    }

    public record CategoryCount(String value, long count, double fraction) {
    }

    /**
     * A boolean column's words, from the values its profile counts ({@code topCategories}: yes/no as its file wrote
     * them; true/false in a profile made before Kiln kept them).
     */
    public BooleanWords booleanWords() {
        Map<String, Long> rows = new HashMap<>();
        if (topCategories != null) {
            for (CategoryCount c : topCategories) {
                if (!Double.isNaN(Values.parseBoolean(c.value()))) {
                    rows.merge(c.value(), c.count(), Long::sum);
                }
            }
        }
        return BooleanWords.of(rows);
    }

    public double missingFraction() {
        long total = count + missing;
        return total == 0 ? 0.0 : (double) missing / total;
    }
}
