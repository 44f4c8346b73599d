package dev.kiln.runtime.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Map;
import java.util.Objects;

/**
 * The sketch of one column: its name and {@link ColumnType}, how many values were present and how many
 * missing, and either a {@link QuantileSketch} (numeric, integer, boolean, datetime as epoch
 * milliseconds, i.e. {@link ColumnType#isNumericLike()}) or {@link CategoryCounts} (categorical, text).
 * Immutable: the accessors return copies. JSON: {@code name, type, count, missing, quantiles | categories}
 * (type as in a bundle's schema, e.g. {@code "NUMERIC"}).
 */
@JsonPropertyOrder({"name", "type", "count", "missing", "quantiles", "categories"})
public final class ColumnSketch {
    private final String name;
    private final ColumnType type;
    private final long missing;
    private final QuantileSketch quantiles;
    private final CategoryCounts categories;

    /** Copies the given sketch (numeric-like types) or counts (the others); the other must be null. */
    public ColumnSketch(String name, ColumnType type, long missing, QuantileSketch quantiles, CategoryCounts categories) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (missing < 0) {
            throw malformed(name, "missing count is negative");
        }
        if (type.isNumericLike() ? quantiles == null || categories != null : categories == null || quantiles != null) {
            throw malformed(name, type.wireName() + " column needs "
                    + (type.isNumericLike() ? "quantiles and no categories" : "categories and no quantiles"));
        }
        this.name = name;
        this.type = type;
        this.missing = missing;
        this.quantiles = quantiles == null ? null : quantiles.copy();
        this.categories = categories == null ? null : categories.copy();
    }

    @JsonCreator
    static ColumnSketch fromJson(@JsonProperty("name") String name, @JsonProperty("type") ColumnType type,
                                 @JsonProperty("count") long count, @JsonProperty("missing") long missing,
                                 @JsonProperty("quantiles") QuantileSketch.State quantiles,
                                 @JsonProperty("categories") CategoryCounts.State categories) {
        if (name == null || type == null) {
            throw malformed(String.valueOf(name), "name and type are required");
        }
        ColumnSketch c = new ColumnSketch(name, type, missing,
                quantiles == null ? null : QuantileSketch.fromState(quantiles),
                categories == null ? null : CategoryCounts.fromState(categories));
        if (c.count() != count) {
            throw malformed(name, "count " + count + " does not match its sketch (" + c.count() + ")");
        }
        return c;
    }

    @JsonProperty("name")
    public String name() {
        return name;
    }

    @JsonProperty("type")
    public ColumnType type() {
        return type;
    }

    /** Values present (not missing). */
    @JsonProperty("count")
    public long count() {
        return quantiles != null ? quantiles.count() : categories.count();
    }

    @JsonProperty("missing")
    public long missing() {
        return missing;
    }

    /** Present + missing, i.e. the rows seen. */
    public long total() {
        return count() + missing;
    }

    /** Missing / total, 0 when no rows. */
    public double missingShare() {
        return total() == 0 ? 0.0 : (double) missing / total();
    }

    /** True for numeric-like columns (those with a quantile sketch). */
    public boolean numeric() {
        return quantiles != null;
    }

    /** A copy of the quantile sketch; null for categorical/text columns. */
    @JsonIgnore
    public QuantileSketch quantiles() {
        return quantiles == null ? null : quantiles.copy();
    }

    /** A copy of the category counts; null for numeric-like columns. */
    @JsonIgnore
    public CategoryCounts categories() {
        return categories == null ? null : categories.copy();
    }

    @JsonProperty("quantiles")
    QuantileSketch.State quantilesState() {
        return quantiles == null ? null : quantiles.state();
    }

    @JsonProperty("categories")
    CategoryCounts.State categoriesState() {
        return categories == null ? null : categories.state();
    }

    private static KilnException malformed(String column, String why) {
        return new KilnException(ErrorCode.DATA_MALFORMED, "invalid sketch of column '" + column + "': " + why,
                Map.of("column", column, "reason", why));
    }

    @Override
    public String toString() {
        return "ColumnSketch[" + name + ", " + type.wireName() + ", count=" + count() + ", missing=" + missing + "]";
    }
}
