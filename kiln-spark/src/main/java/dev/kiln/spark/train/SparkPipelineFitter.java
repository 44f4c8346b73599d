package dev.kiln.spark.train;

import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import dev.kiln.spark.sketch.SparkSketcher;
import dev.kiln.train.FeaturePipelineFitter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kiln train's feature pipeline for a GBDT ({@link FeaturePipelineFitter} with {@code Options.defaults(false)}: median
 * imputation with a missing indicator, no scaling; one-hot over at most 30 levels seen at least twice, mode imputation;
 * calendar parts of datetimes; free text and all-missing columns dropped) built from statistics that Spark computed
 * partition by partition and merged ({@link SparkSketcher}) instead of from the column in memory. Exact: missing
 * counts, types, level counts while a column has at most {@link CategoryCounts#DEFAULT_MAX_CATEGORIES} levels, and the
 * median while a column has at most {@link QuantileSketch#DEFAULT_K} values; beyond, the median is the quantile
 * sketch's (rank error within {@link QuantileSketch#rankErrorBound(int)}, about 0.35%) and the kept levels those the
 * capped counts hold (a level first met after the cap in some partition loses that partition's count).
 */
public final class SparkPipelineFitter {
    private SparkPipelineFitter() {
    }

    /**
     * The pipeline over {@code features} (in that order) from the sketches of the training rows; {@code withTime} names
     * the datetime columns with a time of day in some training row (their parts include the hour).
     */
    public static FeaturePipelineFitter.Result fit(SparkSketcher.Sketched train, List<String> features, Set<String> withTime) {
        FeaturePipelineFitter.Options options = FeaturePipelineFitter.Options.defaults(false);
        Map<String, SparkSketcher.Column> byName = new java.util.HashMap<>();
        train.columns().forEach(c -> byName.put(c.name(), c));
        List<FeatureTransform> transforms = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String name : features) {
            SparkSketcher.Column column = byName.get(name);
            boolean anyMissing = column.missing() > 0;
            if (column.missing() == train.rows()) {
                notes.add("dropped '" + name + "': every value is missing in the training rows");
                continue;
            }
            FeatureTransform t = switch (column.type()) {
                case NUMERIC, INTEGER, BOOLEAN -> new FeatureTransform.Numeric(name, median(column.quantiles()), anyMissing,
                        0.0, 1.0);
                case DATETIME -> dateParts(name, column.quantiles(), anyMissing, withTime.contains(name));
                case CATEGORICAL -> oneHot(name, column, anyMissing, options, notes);
                case TEXT -> {
                    notes.add("dropped '" + name + "': free text is not used as a feature");
                    yield null;
                }
            };
            if (t != null) {
                transforms.add(t);
                fields.add(new Field(name, column.type(), true));
            }
        }
        return new FeaturePipelineFitter.Result(new FeaturePipeline(transforms), new Schema(fields), notes);
    }

    /**
     * The median as kiln train takes it (the middle value, or the mean of the two middle ones) while the sketch holds
     * every value; else the sketch's median, within its rank error.
     */
    static double median(QuantileSketch sketch) {
        if (sketch == null || sketch.count() == 0) {
            return 0.0;
        }
        if (!sketch.exact()) {
            return sketch.quantile(0.5);
        }
        double[] sorted = sketch.sortedValues();
        long[] weights = sketch.sortedWeights();
        long n = sketch.count();
        double upper = valueAt(sorted, weights, n / 2);
        if (n % 2 == 1) {
            return upper;
        }
        double lower = valueAt(sorted, weights, n / 2 - 1);
        double median = (lower + upper) / 2.0;
        return Double.isFinite(median) ? median : lower / 2.0 + upper / 2.0;
    }

    /** The {@code rank}-th smallest value (from 0) of distinct sorted values with their counts. */
    private static double valueAt(double[] sorted, long[] weights, long rank) {
        long seen = 0;
        for (int i = 0; i < sorted.length; i++) {
            seen += weights[i];
            if (rank < seen) {
                return sorted[i];
            }
        }
        return sorted[sorted.length - 1];
    }

    private static FeatureTransform dateParts(String name, QuantileSketch sketch, boolean anyMissing, boolean hasTime) {
        List<FeatureTransform.DatePart> parts = new ArrayList<>(List.of(FeatureTransform.DatePart.YEAR,
                FeatureTransform.DatePart.MONTH, FeatureTransform.DatePart.DAY_OF_MONTH,
                FeatureTransform.DatePart.DAY_OF_WEEK, FeatureTransform.DatePart.DAY_OF_YEAR));
        if (hasTime) {
            parts.add(FeatureTransform.DatePart.HOUR);
        }
        return new FeatureTransform.DateParts(name, parts, Math.floor(median(sketch)), anyMissing);
    }

    private static FeatureTransform oneHot(String name, SparkSketcher.Column column, boolean anyMissing,
                                           FeaturePipelineFitter.Options options, List<String> notes) {
        CategoryCounts counts = column.categories();
        List<Map.Entry<String, Long>> byFrequency = new ArrayList<>(counts.counts().entrySet());
        byFrequency.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        long present = column.count();
        boolean allOnce = byFrequency.stream().allMatch(e -> e.getValue() == 1);
        // kiln train's identifier rule (every value distinct, more than 20): exact under the cap; past it, judged on
        // the levels held (all seen once).
        if (allOnce && present > 20 && (counts.other() == 0 ? byFrequency.size() == present : true)) {
            notes.add("dropped '" + name + "': every value is distinct (" + present + "), like an identifier");
            return null;
        }
        String mode = byFrequency.get(0).getKey();
        List<String> levels = byFrequency.stream()
                .filter(e -> e.getValue() >= options.minLevelCount())
                .limit(options.maxLevels())
                .map(Map.Entry::getKey)
                .toList();
        if (levels.size() < byFrequency.size() || counts.other() > 0) {
            notes.add("'" + name + "': kept " + levels.size() + " of " + (counts.other() > 0 ? "more than " : "")
                    + byFrequency.size() + " levels (at most " + options.maxLevels() + ", each seen at least "
                    + options.minLevelCount() + " times); the rest share the unknown bucket");
        }
        return new FeatureTransform.OneHot(name, levels, mode, anyMissing);
    }
}
