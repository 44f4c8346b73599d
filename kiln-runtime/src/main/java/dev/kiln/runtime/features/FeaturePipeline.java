package dev.kiln.runtime.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The fitted feature pipeline: an ordered list of transforms, applied exactly as fitted. The output
 * vector is the concatenation of each transform's outputs, in order.
 */
public final class FeaturePipeline {
    private final List<FeatureTransform> transforms;
    private final List<String> inputColumns;
    private final List<String> featureNames;
    private final int[] inputIndex;
    private final int[] offsets;
    private final int[] featureColumn;
    private final List<Map<String, Integer>> levelIndex;

    @JsonCreator
    public FeaturePipeline(@JsonProperty("transforms") List<FeatureTransform> transforms) {
        this.transforms = List.copyOf(transforms);
        var columns = new LinkedHashSet<String>();
        var names = new ArrayList<String>();
        inputIndex = new int[this.transforms.size()];
        offsets = new int[this.transforms.size()];
        levelIndex = new ArrayList<>();
        for (int i = 0; i < this.transforms.size(); i++) {
            FeatureTransform t = this.transforms.get(i);
            columns.add(t.column());
            inputIndex[i] = new ArrayList<>(columns).indexOf(t.column());
            offsets[i] = names.size();
            names.addAll(t.outputNames());
            Map<String, Integer> index = new HashMap<>();
            List<String> levels = t instanceof FeatureTransform.OneHot oneHot ? oneHot.levels()
                    : t instanceof FeatureTransform.CategoryCode codes ? codes.levels() : List.of();
            for (int j = 0; j < levels.size(); j++) {
                index.put(levels.get(j), j);
            }
            levelIndex.add(index);
        }
        this.inputColumns = List.copyOf(columns);
        this.featureNames = Collections.unmodifiableList(names);
        this.featureColumn = new int[names.size()];
        for (int i = 0; i < this.transforms.size(); i++) {
            int end = i + 1 < offsets.length ? offsets[i + 1] : names.size();
            java.util.Arrays.fill(featureColumn, offsets[i], end, inputIndex[i]);
        }
    }

    /** The input column (index into {@link #inputColumns()}) that feature {@code f} is made from. */
    public int featureColumn(int f) {
        return featureColumn[f];
    }

    @JsonProperty("transforms")
    public List<FeatureTransform> transforms() {
        return transforms;
    }

    /** The input columns the pipeline reads, in the order {@link #transform} expects their values. */
    public List<String> inputColumns() {
        return inputColumns;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public int width() {
        return featureNames.size();
    }

    /**
     * Writes the features of one row into {@code out} (length {@link #width()}). {@code values} is aligned
     * with {@link #inputColumns()} and holds internal-form values (Double with NaN for missing, or String
     * with null for missing).
     */
    public void transform(Object[] values, double[] out) {
        for (int i = 0; i < transforms.size(); i++) {
            Object v = values[inputIndex[i]];
            int o = offsets[i];
            FeatureTransform t = transforms.get(i);
            if (t instanceof FeatureTransform.Numeric n) {
                applyNumeric(n, (Double) v, out, o);
            } else if (t instanceof FeatureTransform.OneHot h) {
                applyOneHot(h, levelIndex.get(i), (String) v, out, o);
            } else if (t instanceof FeatureTransform.DateParts d) {
                applyDateParts(d, (Double) v, out, o);
            } else if (t instanceof FeatureTransform.CategoryCode) {
                applyCode(levelIndex.get(i), (String) v, out, o);
            }
        }
    }

    /** How many transforms the pipeline applies, in order; transform {@code t} reads {@link #inputOf(int) inputOf(t)}. */
    public int transformCount() {
        return transforms.size();
    }

    /** The input column (index into {@link #inputColumns()}) that transform {@code t} reads. */
    public int inputOf(int t) {
        return inputIndex[t];
    }

    /** Whether transform {@code t} reads text (one-hot, category code; {@link #transformText}) or a number. */
    public boolean readsText(int t) {
        return transforms.get(t) instanceof FeatureTransform.OneHot || transforms.get(t) instanceof FeatureTransform.CategoryCode;
    }

    /**
     * Writes transform {@code t}'s features of one row into {@code out} (length {@link #width()}) from its input as a
     * number (NaN when missing): for a numeric or datetime transform, exactly what {@link #transform} writes for that
     * value boxed. Lets a caller holding columns of primitive doubles encode column by column without boxing a cell.
     */
    public void transformNumber(int t, double v, double[] out) {
        FeatureTransform transform = transforms.get(t);
        if (transform instanceof FeatureTransform.Numeric n) {
            applyNumeric(n, v, out, offsets[t]);
        } else if (transform instanceof FeatureTransform.DateParts d) {
            applyDateParts(d, v, out, offsets[t]);
        } else {
            throw new KilnException(ErrorCode.INTERNAL, "transform " + t + " of column '" + transform.column()
                    + "' reads text, not a number");
        }
    }

    /**
     * Writes transform {@code t}'s features of one row into {@code out} from its input as text (null when missing): for
     * a one-hot or category-code transform, exactly what {@link #transform} writes for that value.
     */
    public void transformText(int t, String v, double[] out) {
        FeatureTransform transform = transforms.get(t);
        if (transform instanceof FeatureTransform.OneHot h) {
            applyOneHot(h, levelIndex.get(t), v, out, offsets[t]);
        } else if (transform instanceof FeatureTransform.CategoryCode) {
            applyCode(levelIndex.get(t), v, out, offsets[t]);
        } else {
            throw new KilnException(ErrorCode.INTERNAL, "transform " + t + " of column '" + transform.column()
                    + "' reads a number, not text");
        }
    }

    private static void applyCode(Map<String, Integer> index, String v, double[] out, int o) {
        Integer code = v == null ? null : index.get(v);
        out[o] = code == null ? Double.NaN : code;
    }

    private static void applyNumeric(FeatureTransform.Numeric n, Double boxed, double[] out, int o) {
        applyNumeric(n, boxed == null ? Double.NaN : boxed, out, o);
    }

    private static void applyNumeric(FeatureTransform.Numeric n, double v, double[] out, int o) {
        boolean missing = Double.isNaN(v);
        out[o] = ((missing ? n.fill() : v) - n.center()) / n.scale();
        if (n.missingIndicator()) {
            out[o + 1] = missing ? 1.0 : 0.0;
        }
    }

    private static void applyOneHot(FeatureTransform.OneHot h, Map<String, Integer> index, String v, double[] out, int o) {
        int levels = h.levels().size();
        for (int j = 0; j <= levels; j++) {
            out[o + j] = 0.0;
        }
        boolean missing = v == null;
        String level = missing ? h.fill() : v;
        Integer j = level == null ? null : index.get(level);
        out[o + (j == null ? levels : j)] = 1.0;
        if (h.missingIndicator()) {
            out[o + levels + 1] = missing ? 1.0 : 0.0;
        }
    }

    private static void applyDateParts(FeatureTransform.DateParts d, Double boxed, double[] out, int o) {
        applyDateParts(d, boxed == null ? Double.NaN : boxed, out, o);
    }

    private static void applyDateParts(FeatureTransform.DateParts d, double v, double[] out, int o) {
        boolean missing = Double.isNaN(v);
        ZonedDateTime t = Instant.ofEpochMilli((long) (missing ? d.fillMillis() : v)).atZone(ZoneOffset.UTC);
        int k = 0;
        for (FeatureTransform.DatePart p : d.parts()) {
            out[o + k++] = switch (p) {
                case YEAR -> t.getYear();
                case MONTH -> t.getMonthValue();
                case DAY_OF_MONTH -> t.getDayOfMonth();
                case DAY_OF_WEEK -> t.getDayOfWeek().getValue();
                case DAY_OF_YEAR -> t.getDayOfYear();
                case HOUR -> t.getHour();
            };
        }
        if (d.missingIndicator()) {
            out[o + k] = missing ? 1.0 : 0.0;
        }
    }
}
