package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits the feature pipeline on training rows only. Numeric-like columns: median imputation with a missing
 * indicator (when training had missing values) and, for algorithms that need it, standardisation.
 * Categorical columns: one-hot over the most frequent levels (at most {@code maxLevels}, each seen at
 * least {@code minLevelCount} times) plus an unknown bucket, mode imputation with an indicator; or, with
 * {@code categoricalCodes}, one category-code feature per column for trees that split on categories natively.
 * Datetimes: calendar parts. Columns that cannot help are dropped with a reason the report shows.
 */
public final class FeaturePipelineFitter {
    /**
     * @param scale            standardise numeric columns (linear models)
     * @param maxLevels        one-hot: the most levels kept per categorical column (the rest share the unknown bucket)
     * @param minLevelCount    the fewest training rows a level needs to be kept (one-hot and codes alike)
     * @param categoricalCodes encode each categorical column as one {@link FeatureTransform.CategoryCode} feature
     *                         instead of one-hot (for XGBoost's native categorical splits; see
     *                         {@link #categoricalFeatures})
     * @param maxCodeLevels    codes: the most levels kept per column, the most frequent; the rest, like levels
     *                         unseen in training and missing values, become NaN (the split's default direction)
     */
    public record Options(boolean scale, int maxLevels, int minLevelCount, boolean categoricalCodes, int maxCodeLevels) {
        /**
         * At most 255 coded levels, the cap scikit-learn's HistGradientBoosting puts on a categorical feature (its
         * {@code max_bins}): levels beyond the 255 most frequent are rarely seen enough to learn a split from.
         */
        public static final int DEFAULT_MAX_CODE_LEVELS = 255;

        /** One-hot (the default encoding), without the code options. */
        public Options(boolean scale, int maxLevels, int minLevelCount) {
            this(scale, maxLevels, minLevelCount, false, DEFAULT_MAX_CODE_LEVELS);
        }

        public static Options defaults(boolean scale) {
            return new Options(scale, 30, 2);
        }

        /** These options with categorical columns encoded as category codes (at most {@link #DEFAULT_MAX_CODE_LEVELS}). */
        public Options withCategoricalCodes() {
            return new Options(scale, maxLevels, minLevelCount, true, maxCodeLevels);
        }
    }

    /** The fitted pipeline, the schema of the columns it reads, and what was dropped or capped, and why. */
    public record Result(FeaturePipeline pipeline, Schema inputSchema, List<String> notes) {
    }

    private FeaturePipelineFitter() {
    }

    public static Result fit(DataFrame train, List<String> featureColumns, Options options) {
        return fit(train, null, featureColumns, options);
    }

    /**
     * As above, on the given rows of {@code frame} (every row when {@code rowsOrNull} is null): each feature column's
     * values of those rows are selected while it is fitted, not a frame of the rows.
     */
    public static Result fit(DataFrame frame, int[] rowsOrNull, List<String> featureColumns, Options options) {
        List<FeatureTransform> transforms = new ArrayList<>();
        List<Field> fields = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String name : featureColumns) {
            DataColumn column = rowsOrNull == null ? frame.column(name) : frame.column(name).select(rowsOrNull);
            int missing = column.missingCount();
            boolean anyMissing = missing > 0;
            if (missing == column.size()) {
                notes.add("dropped '" + name + "': every value is missing in the training rows");
                continue;
            }
            FeatureTransform t = switch (column.type()) {
                case NUMERIC, INTEGER, BOOLEAN -> numeric((NumericColumn) column, anyMissing, options.scale());
                case DATETIME -> dateParts((NumericColumn) column, anyMissing);
                case CATEGORICAL -> options.categoricalCodes() ? categoryCode((StringColumn) column, options, notes)
                        : oneHot((StringColumn) column, anyMissing, options, notes);
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
        return new Result(new FeaturePipeline(transforms), new Schema(fields), notes);
    }

    private static FeatureTransform numeric(NumericColumn column, boolean anyMissing, boolean scale) {
        double[] present = Arrays.stream(column.values()).filter(v -> !Double.isNaN(v)).toArray();
        double median = median(present);
        double center = 0.0;
        double spread = 1.0;
        if (scale) {
            double sum = 0;
            for (double v : present) {
                sum += v;
            }
            center = sum / present.length;
            if (!Double.isFinite(center)) {
                center = meanWithoutOverflow(present);
            }
            if (!deviationsFinite(present, center)) {
                center = 0.0; // values of both signs near the largest double: only 0 keeps every v - center finite
            }
            double ss = 0;
            for (double v : present) {
                ss += (v - center) * (v - center);
            }
            double std = present.length > 1 ? Math.sqrt(ss / (present.length - 1)) : 0.0;
            if (Double.isInfinite(std)) {
                std = stdWithoutOverflow(present, center);
            }
            spread = std > 1e-12 && Double.isFinite(std) ? std : 1.0;
        }
        return new FeatureTransform.Numeric(column.name(), median, anyMissing, center, spread);
    }

    private static FeatureTransform dateParts(NumericColumn column, boolean anyMissing) {
        double[] present = Arrays.stream(column.values()).filter(v -> !Double.isNaN(v)).toArray();
        boolean hasTime = Arrays.stream(present).anyMatch(v -> Math.floorMod((long) v, 86_400_000L) != 0);
        List<FeatureTransform.DatePart> parts = new ArrayList<>(List.of(FeatureTransform.DatePart.YEAR,
                FeatureTransform.DatePart.MONTH, FeatureTransform.DatePart.DAY_OF_MONTH,
                FeatureTransform.DatePart.DAY_OF_WEEK, FeatureTransform.DatePart.DAY_OF_YEAR));
        if (hasTime) {
            parts.add(FeatureTransform.DatePart.HOUR);
        }
        return new FeatureTransform.DateParts(column.name(), parts, Math.floor(median(present)), anyMissing);
    }

    /** The column's levels, most frequent first (ties by name). */
    private static List<Map.Entry<String, Integer>> byFrequency(StringColumn column) {
        Map<String, Integer> counts = new HashMap<>();
        for (String v : column.values()) {
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> byFrequency = new ArrayList<>(counts.entrySet());
        byFrequency.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        return byFrequency;
    }

    private static boolean identifierLike(StringColumn column, int distinct, List<String> notes) {
        int present = column.size() - column.missingCount();
        if (distinct == present && present > 20) {
            notes.add("dropped '" + column.name() + "': every value is distinct (" + present + "), like an identifier");
            return true;
        }
        return false;
    }

    /**
     * Category codes over the most frequent levels (at most {@code maxCodeLevels}, each seen at least
     * {@code minLevelCount} times), code 0 the most frequent. No missing indicator: NaN already marks missing values.
     */
    private static FeatureTransform categoryCode(StringColumn column, Options options, List<String> notes) {
        List<Map.Entry<String, Integer>> byFrequency = byFrequency(column);
        if (identifierLike(column, byFrequency.size(), notes)) {
            return null;
        }
        List<String> levels = byFrequency.stream()
                .filter(e -> e.getValue() >= options.minLevelCount())
                .limit(options.maxCodeLevels())
                .map(Map.Entry::getKey)
                .toList();
        if (levels.size() < byFrequency.size()) {
            notes.add("'" + column.name() + "': coded " + levels.size() + " of " + byFrequency.size()
                    + " levels (at most " + options.maxCodeLevels() + ", each seen at least " + options.minLevelCount()
                    + " times); the rest count as missing");
        }
        return new FeatureTransform.CategoryCode(column.name(), levels);
    }

    /**
     * Which of {@code pipeline}'s features are category codes, one flag per feature, for
     * {@link TrainingData#categorical}; null when none is.
     */
    public static boolean[] categoricalFeatures(FeaturePipeline pipeline) {
        boolean[] flags = new boolean[pipeline.width()];
        boolean any = false;
        int offset = 0;
        for (FeatureTransform t : pipeline.transforms()) {
            int width = t.outputNames().size();
            if (t instanceof FeatureTransform.CategoryCode) {
                java.util.Arrays.fill(flags, offset, offset + width, true);
                any = true;
            }
            offset += width;
        }
        return any ? flags : null;
    }

    private static FeatureTransform oneHot(StringColumn column, boolean anyMissing, Options options, List<String> notes) {
        List<Map.Entry<String, Integer>> byFrequency = byFrequency(column);
        Map<String, Integer> counts = new HashMap<>();
        for (Map.Entry<String, Integer> e : byFrequency) {
            counts.put(e.getKey(), e.getValue());
        }
        String mode = byFrequency.get(0).getKey();
        List<String> levels = byFrequency.stream()
                .filter(e -> e.getValue() >= options.minLevelCount())
                .limit(options.maxLevels())
                .map(Map.Entry::getKey)
                .toList();
        if (identifierLike(column, counts.size(), notes)) {
            return null;
        }
        if (levels.size() < counts.size()) {
            notes.add("'" + column.name() + "': kept " + levels.size() + " of " + counts.size()
                    + " levels (at most " + options.maxLevels() + ", each seen at least " + options.minLevelCount()
                    + " times); the rest share the unknown bucket");
        }
        return new FeatureTransform.OneHot(column.name(), levels, mode, anyMissing);
    }

    /**
     * The median: the middle value of the sorted values, or the mean of the two middle ones. Found by selection, not a
     * sort (a large column's median in linear time), the same middle values as a sort's ({@link OrderStatistics}).
     */
    static double median(double[] values) {
        if (values.length == 0) {
            return 0.0;
        }
        long[] keys = new long[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = OrderStatistics.key(values[i]);
        }
        int mid = values.length / 2;
        double upper = OrderStatistics.value(OrderStatistics.select(keys, mid));
        if (values.length % 2 == 1) {
            return upper;
        }
        // After selecting the mid-th, keys[0, mid) hold the mid smallest: the largest of them is the (mid - 1)-th.
        double lower = OrderStatistics.value(OrderStatistics.max(keys, mid));
        double median = (lower + upper) / 2.0;
        // Two values near the largest double overflow their sum; halving first cannot (and differs only below 1e-307).
        return Double.isFinite(median) ? median : lower / 2.0 + upper / 2.0;
    }

    /*
     * The fallbacks below run only where the plain sums overflow a double (values beyond about 1e307, which a data
     * file may hold): the runtime refuses a transform with an infinite center or fill, and an infinite scale would
     * leave the column unscaled. Everywhere else the plain sums are kept, so fitted pipelines stay bit for bit.
     */

    /** The mean as a sum of {@code v / n}: no partial sum can overflow. */
    private static double meanWithoutOverflow(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v / values.length;
        }
        return mean;
    }

    /** Whether {@code v - center}, which the runtime computes for every value, stays finite over the training rows. */
    private static boolean deviationsFinite(double[] values, double center) {
        for (double v : values) {
            if (!Double.isFinite(v - center)) {
                return false;
            }
        }
        return true;
    }

    /** The sample standard deviation with every (halved) deviation divided by the largest one first. */
    private static double stdWithoutOverflow(double[] values, double center) {
        double largest = 0;
        for (double v : values) {
            largest = Math.max(largest, Math.abs(v / 2 - center / 2));
        }
        if (largest == 0) {
            return 0.0;
        }
        double ss = 0;
        for (double v : values) {
            double d = (v / 2 - center / 2) / largest;
            ss += d * d;
        }
        double std = 2 * largest * Math.sqrt(ss / (values.length - 1));
        return Double.isFinite(std) ? std : Double.MAX_VALUE; // a spread past the largest double: scale by that
    }

    /** Encodes every row of {@code frame} through {@code pipeline}. */
    public static double[][] encode(FeaturePipeline pipeline, DataFrame frame) {
        return encode(pipeline, frame, null);
    }

    /**
     * Encodes the given rows of {@code frame} (every row when {@code rowsOrNull} is null), in that order, through
     * {@code pipeline}: column by column from the columns' own arrays, no cell boxed and no frame of the rows copied,
     * each feature exactly what {@link FeaturePipeline#transform} writes for the row's values.
     */
    public static double[][] encode(FeaturePipeline pipeline, DataFrame frame, int[] rowsOrNull) {
        int n = rowsOrNull == null ? frame.rowCount() : rowsOrNull.length;
        int width = pipeline.width();
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[width];
        }
        List<String> inputs = pipeline.inputColumns();
        for (int t = 0; t < pipeline.transformCount(); t++) {
            DataColumn column = frame.column(inputs.get(pipeline.inputOf(t)));
            if (pipeline.readsText(t)) {
                String[] values = ((StringColumn) column).values();
                for (int i = 0; i < n; i++) {
                    pipeline.transformText(t, values[rowsOrNull == null ? i : rowsOrNull[i]], x[i]);
                }
            } else {
                double[] values = ((NumericColumn) column).values();
                for (int i = 0; i < n; i++) {
                    pipeline.transformNumber(t, values[rowsOrNull == null ? i : rowsOrNull[i]], x[i]);
                }
            }
        }
        return x;
    }
}
