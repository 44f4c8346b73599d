package dev.kiln.runtime.features;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * One fitted transform of one input column into one or more model features. Transforms are plain data
 * (what was fitted); {@link FeaturePipeline} applies them. Input values are in the internal form of
 * {@link dev.kiln.runtime.schema.Values}: a Double (NaN = missing) or a String (null = missing).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = FeatureTransform.Numeric.class, name = "numeric"),
        @JsonSubTypes.Type(value = FeatureTransform.OneHot.class, name = "one_hot"),
        @JsonSubTypes.Type(value = FeatureTransform.DateParts.class, name = "date_parts"),
        @JsonSubTypes.Type(value = FeatureTransform.CategoryCode.class, name = "category_code")
})
public sealed interface FeatureTransform {
    String MISSING_SUFFIX = "__missing";
    String UNKNOWN_LEVEL = "__unknown__";

    String column();

    List<String> outputNames();

    /**
     * A numeric-like column: missing values take {@code fill} (the training median), optionally flagged by
     * an indicator feature; then {@code (v - center) / scale} (center 0 and scale 1 when not scaled).
     */
    record Numeric(String column, double fill, boolean missingIndicator, double center, double scale)
            implements FeatureTransform {
        public Numeric {
            if (!(scale > 0) || !Double.isFinite(center) || !Double.isFinite(fill)) {
                throw new IllegalArgumentException("numeric transform of '" + column + "' needs finite fill/center and scale > 0");
            }
        }

        @Override
        public List<String> outputNames() {
            return missingIndicator ? List.of(column, column + MISSING_SUFFIX) : List.of(column);
        }
    }

    /**
     * A categorical column: one feature per kept level plus an explicit unknown bucket for levels unseen in
     * training or cut by the level cap. Missing values take {@code fill} (the training mode) when it is
     * set, else they go to the unknown bucket; an indicator feature can flag them.
     */
    record OneHot(String column, List<String> levels, String fill, boolean missingIndicator)
            implements FeatureTransform {
        public OneHot {
            levels = List.copyOf(levels);
        }

        @Override
        public List<String> outputNames() {
            var names = new java.util.ArrayList<String>();
            for (String level : levels) {
                names.add(column + "=" + level);
            }
            names.add(column + "=" + UNKNOWN_LEVEL);
            if (missingIndicator) {
                names.add(column + MISSING_SUFFIX);
            }
            return names;
        }
    }

    /**
     * A categorical column as one feature holding its level's code: the level's index in {@code levels}
     * (0..levels-1). A level not in the list (unseen in training, or cut by the level cap) and a missing value give
     * NaN, so a tree follows its split's default direction (bundle format 1.4). For tree models that split on
     * categories natively (XGBoost's categorical support; {@link dev.kiln.runtime.model.Tree#rightCategories}); the
     * codes are not an order, so linear models should not use them.
     */
    record CategoryCode(String column, List<String> levels) implements FeatureTransform {
        public CategoryCode {
            levels = List.copyOf(levels);
            if (new java.util.HashSet<>(levels).size() != levels.size()) {
                throw new IllegalArgumentException("category codes of '" + column + "' list a level twice");
            }
        }

        @Override
        public List<String> outputNames() {
            return List.of(column);
        }
    }

    /**
     * A datetime column (epoch milliseconds, UTC) split into calendar parts. Missing timestamps take
     * {@code fillMillis} (the training median) and can be flagged.
     */
    record DateParts(String column, List<DatePart> parts, double fillMillis, boolean missingIndicator)
            implements FeatureTransform {
        public DateParts {
            parts = List.copyOf(parts);
        }

        @Override
        public List<String> outputNames() {
            var names = new java.util.ArrayList<String>();
            for (DatePart p : parts) {
                names.add(column + "." + p.wireName());
            }
            if (missingIndicator) {
                names.add(column + MISSING_SUFFIX);
            }
            return names;
        }
    }

    enum DatePart {
        YEAR, MONTH, DAY_OF_MONTH, DAY_OF_WEEK, DAY_OF_YEAR, HOUR;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static DatePart parse(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
