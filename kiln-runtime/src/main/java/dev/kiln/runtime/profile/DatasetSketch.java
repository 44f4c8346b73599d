package dev.kiln.runtime.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mergeable sketches of every column of a data set: the row count and one {@link ColumnSketch} per
 * column, in schema order. Memory is bounded per column (a {@link QuantileSketch} or capped
 * {@link CategoryCounts}), independent of the rows. Round-trips exactly through
 * {@link dev.kiln.runtime.Json#mapper()}. Build one with {@link Builder}.
 */
public record DatasetSketch(long rows, List<ColumnSketch> columns) {
    @JsonCreator
    public DatasetSketch(@JsonProperty("rows") long rows, @JsonProperty("columns") List<ColumnSketch> columns) {
        if (rows < 0) {
            throw malformed("rows is negative");
        }
        columns = columns == null ? List.of() : List.copyOf(columns);
        Set<String> names = new HashSet<>();
        for (ColumnSketch c : columns) {
            if (!names.add(c.name())) {
                throw malformed("duplicate column '" + c.name() + "'");
            }
            if (c.total() != rows) {
                throw malformed("column '" + c.name() + "' has " + c.count() + " present + " + c.missing()
                        + " missing values, expected " + rows + " rows");
            }
        }
        this.rows = rows;
        this.columns = columns;
    }

    /** The named column; {@link ErrorCode#COLUMN_MISSING} listing the available ones when absent. */
    public ColumnSketch column(String name) {
        return find(name).orElseThrow(() -> new KilnException(ErrorCode.COLUMN_MISSING,
                "column '" + name + "' is not in the sketch; available columns: " + String.join(", ", names()),
                Map.of("column", name, "available", names())));
    }

    public Optional<ColumnSketch> find(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return columns.stream().map(ColumnSketch::name).toList();
    }

    /** The schema the sketch was built from (nullable when the column had missing values). */
    public Schema schema() {
        return new Schema(columns.stream().map(c -> new Field(c.name(), c.type(), c.missing() > 0)).toList());
    }

    public static Builder builder(Schema schema) {
        return new Builder(schema);
    }

    private static KilnException malformed(String why) {
        return new KilnException(ErrorCode.DATA_MALFORMED, "invalid dataset sketch: " + why, Map.of("reason", why));
    }

    /**
     * Accumulates values column by column. {@link #addRow} counts a row and treats schema columns
     * absent from the map as missing; the cell methods ({@link #addNumeric}, {@link #addCategory},
     * {@link #addMissing}) do not count rows: at {@link #build()} the row count is the larger of the rows
     * counted and the most values any column received, and columns that received fewer are topped up
     * with missing values. Values follow {@link Values}: numeric-like columns take doubles (NaN =
     * missing) or text parsed by the column's type; categorical/text columns take strings (trimmed;
     * missing tokens such as "" or "NA" are missing) and numbers in canonical text (4.0 → "4").
     * Not thread-safe; build one per thread and {@link #merge} them.
     */
    public static final class Builder {
        private final Schema schema;
        private final Map<String, Column> columns = new LinkedHashMap<>();
        private long rows;

        public Builder(Schema schema) {
            this(schema, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES);
        }

        public Builder(Schema schema, int k, int maxCategories) {
            this.schema = schema;
            for (Field f : schema.fields()) {
                if (columns.put(f.name(), new Column(f, k, maxCategories)) != null) {
                    throw new IllegalArgumentException("duplicate column '" + f.name() + "' in schema");
                }
            }
        }

        public Schema schema() {
            return schema;
        }

        public Builder addNumeric(String column, double value) {
            Column c = column(column);
            if (Double.isNaN(value)) {
                c.missing++;
            } else if (!Double.isFinite(value)) {
                throw invalid(c.field, value);
            } else if (c.quantiles != null) {
                if (c.field.type() == ColumnType.BOOLEAN && value != 0.0 && value != 1.0) {
                    throw invalid(c.field, value);
                }
                c.quantiles.add(value);
            } else {
                c.categories.add(Values.canonicalNumberText(value));
            }
            return this;
        }

        public Builder addCategory(String column, String value) {
            Column c = column(column);
            if (value == null || Values.isMissingToken(value)) {
                c.missing++;
            } else if (c.categories != null) {
                c.categories.add(value.trim());
            } else {
                c.quantiles.add((Double) Values.coerce(c.field, value));
            }
            return this;
        }

        public Builder addMissing(String column) {
            column(column).missing++;
            return this;
        }

        /** Adds one row; values are coerced by {@link Values#coerce} (KilnException VALUE_INVALID when one does not fit). */
        public Builder addRow(Map<String, ?> row) {
            for (Column c : columns.values()) {
                Object v = Values.coerce(c.field, row.get(c.field.name()));
                if (c.quantiles != null) {
                    double d = (Double) v;
                    if (Double.isNaN(d)) {
                        c.missing++;
                    } else {
                        c.quantiles.add(d);
                    }
                } else if (v == null) {
                    c.missing++;
                } else {
                    c.categories.add((String) v);
                }
            }
            rows++;
            return this;
        }

        /** Adds everything {@code other} holds; the schemas must name the same columns with the same types. */
        public Builder merge(Builder other) {
            if (!schema.names().equals(other.schema.names())) {
                throw new IllegalArgumentException("cannot merge sketches of different columns: " + schema.names()
                        + " vs " + other.schema.names());
            }
            for (Column c : columns.values()) {
                Column o = other.columns.get(c.field.name());
                if (o.field.type() != c.field.type()) {
                    throw new IllegalArgumentException("column '" + c.field.name() + "' is " + c.field.type().wireName()
                            + " here and " + o.field.type().wireName() + " in the other sketch");
                }
                c.missing += o.missing;
                if (c.quantiles != null) {
                    c.quantiles.merge(o.quantiles);
                } else {
                    c.categories.merge(o.categories);
                }
            }
            rows += other.rows;
            return this;
        }

        /** The sketch so far (the builder stays usable). */
        public DatasetSketch build() {
            long n = rows;
            for (Column c : columns.values()) {
                n = Math.max(n, c.total());
            }
            List<ColumnSketch> out = new ArrayList<>(columns.size());
            for (Column c : columns.values()) {
                long present = c.total() - c.missing;
                out.add(new ColumnSketch(c.field.name(), c.field.type(), n - present, c.quantiles, c.categories));
            }
            return new DatasetSketch(n, out);
        }

        private Column column(String name) {
            Column c = columns.get(name);
            if (c == null) {
                throw new KilnException(ErrorCode.COLUMN_MISSING, "column '" + name + "' is not in the schema; columns: "
                        + String.join(", ", schema.names()), Map.of("column", name, "available", schema.names()));
            }
            return c;
        }

        private static KilnException invalid(Field field, double value) {
            return new KilnException(ErrorCode.VALUE_INVALID, "column '" + field.name() + "': value '" + value
                    + "' is not " + (field.type() == ColumnType.BOOLEAN ? "a boolean (1/0)" : "a finite number"),
                    Map.of("column", field.name(), "value", String.valueOf(value), "expected", field.type().wireName()));
        }

        private static final class Column {
            final Field field;
            final QuantileSketch quantiles;
            final CategoryCounts categories;
            long missing;

            Column(Field field, int k, int maxCategories) {
                this.field = field;
                this.quantiles = field.type().isNumericLike() ? new QuantileSketch(k) : null;
                this.categories = field.type().isNumericLike() ? null : new CategoryCounts(maxCategories);
            }

            long total() {
                return missing + (quantiles != null ? quantiles.count() : categories.count());
            }
        }
    }
}
