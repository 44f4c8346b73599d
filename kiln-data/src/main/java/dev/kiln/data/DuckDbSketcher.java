package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sketches a Parquet or JSON lines file too big to read whole by streaming it through DuckDB, rows never held
 * ({@code jdbc_stream_results}): memory stays flat in the rows, as {@link Sketcher} streams a large CSV.
 *
 * <p>The types are those {@link DataReader#read} gives. Columns without a forced type are typed in a first pass over just
 * those columns: DOUBLE, integer and BOOLEAN columns by their values' kind (as {@link TypedColumn} types them), the
 * others (and label columns) from their text by {@link SchemaInference}'s rules, the free-text rule judged on the first
 * {@value Sketcher#TEXT_SAMPLE} values as for a streamed CSV. A column whose type only its text could tell (a DOUBLE
 * column with an infinity or no value, an integer past 18 digits) makes {@link #sketch} return null: the caller reads
 * the file whole. The second pass adds each value to its column's sketch in row order, so the sketches equal those of
 * the frame {@link DataReader#read} would give: a number fetched as a number where that is what its text would give, else
 * its text converted as the text route converts it, a value that does not fit a forced type an error naming the row
 * and column.
 */
final class DuckDbSketcher {
    private static final long MAX_INTEGER = 999_999_999_999_999_999L; // 18 digits: Values.isInteger's limit

    /** How the second pass fetches a column. */
    private enum Fetch { DOUBLE, LONG, BOOLEAN, TEXT }

    private DuckDbSketcher() {
    }

    /** The file's sketch and types, or null when some column's type needs a whole read (see the class comment). */
    static Sketcher.Typed sketch(Path file, DuckDbReader.Format format, ReadOptions options, int k, int maxCategories) {
        Columns columns = columns(file, format);
        Map<String, ColumnType> types = types(file, format, options, columns);
        if (types == null) {
            return null;
        }
        return new Sketcher.Typed(sketchWithTypes(file, format, columns, types, options, k, maxCategories), types);
    }

    /** The file's column types as {@link DataReader#read} gives them, or null when only a whole read can tell. */
    static Map<String, ColumnType> inferTypes(Path file, DuckDbReader.Format format, ReadOptions options) {
        return types(file, format, options, columns(file, format));
    }

    /** The file's rows times its columns (Parquet: from its footer, no row is read). */
    static long cells(Path file, DuckDbReader.Format format) {
        long width = columns(file, format).names().size();
        long rows = DuckDbReader.query(file, format, "count(*)", false, (rs, names) -> rs.next() ? rs.getLong(1) : 0L);
        return rows * width;
    }

    /** The file's column names and SQL type names, from its result's metadata (no row is read). */
    private record Columns(List<String> names, List<String> sqlTypes) {
    }

    private static Columns columns(Path file, DuckDbReader.Format format) {
        return DuckDbReader.describe(file, format, (rs, names) -> {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> sqlTypes = new ArrayList<>(names.size());
            for (int c = 1; c <= names.size(); c++) {
                sqlTypes.add(meta.getColumnTypeName(c));
            }
            return new Columns(names, sqlTypes);
        });
    }

    private static Fetch kind(String sqlType) {
        return switch (sqlType) {
            case "DOUBLE" -> Fetch.DOUBLE;
            case "BIGINT", "INTEGER", "SMALLINT", "TINYINT" -> Fetch.LONG;
            case "BOOLEAN" -> Fetch.BOOLEAN;
            default -> Fetch.TEXT;
        };
    }

    private static Map<String, ColumnType> types(Path file, DuckDbReader.Format format, ReadOptions options, Columns columns) {
        List<String> names = columns.names();
        Map<String, ColumnType> types = new LinkedHashMap<>();
        List<Integer> open = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            ColumnType forced = options.types().getOrDefault(names.get(c), options.otherColumns());
            types.put(names.get(c), forced);
            if (forced == null) {
                open.add(c);
            }
        }
        if (open.isEmpty()) {
            return types;
        }
        Fetch[] kinds = new Fetch[open.size()];
        StringBuilder select = new StringBuilder();
        for (int j = 0; j < open.size(); j++) {
            String name = names.get(open.get(j));
            kinds[j] = options.labelColumns().contains(name) ? Fetch.TEXT : kind(columns.sqlTypes().get(open.get(j)));
            select.append(j == 0 ? "" : ", ").append(DuckDbReader.quoted(name));
        }
        ColumnType[] inferred = DuckDbReader.query(file, format, select.toString(), true, (rs, selected) -> infer(rs, kinds));
        if (inferred == null) {
            return null;
        }
        for (int j = 0; j < open.size(); j++) {
            String name = names.get(open.get(j));
            types.put(name, SchemaInference.asRead(name, inferred[j], options));
        }
        return types;
    }

    /** The first pass: each column's type, or null when a column's type needs its text (see the class comment). */
    private static ColumnType[] infer(ResultSet rs, Fetch[] kinds) throws SQLException {
        int width = kinds.length;
        long[] present = new long[width];
        boolean[] needsText = new boolean[width];
        Sketcher.Inference[] text = new Sketcher.Inference[width];
        for (int j = 0; j < width; j++) {
            text[j] = kinds[j] == Fetch.TEXT ? new Sketcher.Inference() : null;
        }
        boolean[] json = JsonCells.columns(rs);
        while (rs.next()) {
            for (int j = 0; j < width; j++) {
                switch (kinds[j]) {
                    case DOUBLE -> {
                        double v = rs.getDouble(j + 1);
                        if (!rs.wasNull() && !Double.isNaN(v)) {
                            present[j]++;
                            needsText[j] |= Double.isInfinite(v);
                        }
                    }
                    case LONG -> {
                        long v = rs.getLong(j + 1);
                        if (!rs.wasNull()) {
                            present[j]++;
                            needsText[j] |= v > MAX_INTEGER || v < -MAX_INTEGER;
                        }
                    }
                    case BOOLEAN -> {
                        rs.getBoolean(j + 1);
                        if (!rs.wasNull()) {
                            present[j]++;
                        }
                    }
                    default -> text[j].accept(JsonCells.string(rs, j + 1, json[j]));
                }
            }
        }
        ColumnType[] out = new ColumnType[width];
        for (int j = 0; j < width; j++) {
            if (kinds[j] == Fetch.TEXT) {
                out[j] = text[j].type();
            } else if (present[j] == 0 || needsText[j]) {
                return null;
            } else {
                out[j] = kinds[j] == Fetch.DOUBLE ? ColumnType.NUMERIC : kinds[j] == Fetch.LONG ? ColumnType.INTEGER : ColumnType.BOOLEAN;
            }
        }
        return out;
    }

    /**
     * How the second pass fetches a column of SQL kind {@code kind} sketched as {@code type}: as a number where that is
     * the number its text would give ({@link ForcedTypes}' pairings), else as text.
     */
    private static Fetch fetch(Fetch kind, ColumnType type, boolean label) {
        if (label) {
            return Fetch.TEXT;
        }
        return switch (kind) {
            case DOUBLE -> type == ColumnType.NUMERIC ? Fetch.DOUBLE : Fetch.TEXT;
            case LONG -> type == ColumnType.NUMERIC || type == ColumnType.INTEGER ? Fetch.LONG : Fetch.TEXT;
            case BOOLEAN -> type == ColumnType.BOOLEAN ? Fetch.BOOLEAN : Fetch.TEXT;
            default -> Fetch.TEXT;
        };
    }

    private static DatasetSketch sketchWithTypes(Path file, DuckDbReader.Format format, Columns columns,
                                                 Map<String, ColumnType> types, ReadOptions options, int k, int maxCategories) {
        List<String> names = columns.names();
        int width = names.size();
        ColumnType[] type = new ColumnType[width];
        boolean[] forced = new boolean[width];
        Fetch[] fetch = new Fetch[width];
        QuantileSketch[] quantiles = new QuantileSketch[width];
        CategoryCounts[] categories = new CategoryCounts[width];
        for (int c = 0; c < width; c++) {
            String name = names.get(c);
            type[c] = types.get(name);
            forced[c] = options.types().getOrDefault(name, options.otherColumns()) != null;
            fetch[c] = fetch(kind(columns.sqlTypes().get(c)), type[c], options.labelColumns().contains(name) && !forced[c]);
            if (type[c].isNumericLike()) {
                quantiles[c] = new QuantileSketch(k);
            } else {
                categories[c] = new CategoryCounts(maxCategories);
            }
        }
        long[] missing = new long[width];
        String source = file.toString();
        long rows = DuckDbReader.query(file, format, "*", true, (rs, selected) -> {
            long row = 0;
            boolean[] json = JsonCells.columns(rs);
            while (rs.next()) {
                row++;
                for (int c = 0; c < width; c++) {
                    String text;
                    switch (fetch[c]) {
                        case DOUBLE -> {
                            double v = rs.getDouble(c + 1);
                            if (rs.wasNull() || Double.isNaN(v)) {
                                missing[c]++;
                                continue;
                            }
                            if (!Double.isInfinite(v)) {
                                quantiles[c].add(v);
                                continue;
                            }
                            text = Double.toString(v); // converted as its text is: not a number
                        }
                        case LONG -> {
                            long v = rs.getLong(c + 1);
                            if (rs.wasNull()) {
                                missing[c]++;
                                continue;
                            }
                            if (v <= MAX_INTEGER && v >= -MAX_INTEGER) {
                                quantiles[c].add(v);
                                continue;
                            }
                            text = Long.toString(v);
                        }
                        case BOOLEAN -> {
                            boolean v = rs.getBoolean(c + 1);
                            if (rs.wasNull()) {
                                missing[c]++;
                            } else {
                                quantiles[c].add(v ? 1 : 0);
                            }
                            continue;
                        }
                        default -> text = JsonCells.string(rs, c + 1, json[c]);
                    }
                    // The text route's conversion (SchemaInference's, as a streamed CSV's): missing, a number, a category.
                    if (Values.isMissingToken(text)) {
                        missing[c]++;
                    } else if (quantiles[c] != null) {
                        double d = Values.parseFitting(type[c], text);
                        if (Double.isNaN(d)) {
                            throw SchemaInference.doesNotFit(names.get(c), type[c], forced[c], text, source, "row " + row);
                        }
                        quantiles[c].add(d);
                    } else {
                        categories[c].add(text.trim());
                    }
                }
            }
            return row;
        });
        if (rows == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " has no data rows", Map.of("file", source));
        }
        List<ColumnSketch> out = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            out.add(new ColumnSketch(names.get(c), type[c], missing[c], quantiles[c], categories[c]));
        }
        return new DatasetSketch(rows, out);
    }
}
