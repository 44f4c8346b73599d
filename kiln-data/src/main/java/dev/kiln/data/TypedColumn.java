package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.duckdb.DuckDBReadableVector;

/**
 * One column of a DuckDB result fetched by its SQL type, giving the column that {@link SchemaInference} would make of
 * the same values fetched as text (which is what JDBC's {@code getString} returns: {@link Double#toString},
 * {@link Long#toString}, {@code true}/{@code false}):
 * <ul>
 *   <li>DOUBLE: such text is never an integer, so the column is NUMERIC, with NULL and NaN missing; but a column with
 *       an infinity (text {@code Infinity}, not a number) or with no value present is typed from its text;</li>
 *   <li>BIGINT, INTEGER, SMALLINT, TINYINT: INTEGER when every value has at most 18 digits (the integer rule), else
 *       typed from its text;</li>
 *   <li>BOOLEAN: BOOLEAN (1/0), or typed from its text when no value is present;</li>
 *   <li>any other type, and a label column ({@link ReadOptions#labelColumns}: its words matter), is fetched as text
 *       and typed from it.</li>
 * </ul>
 */
final class TypedColumn {
    private static final long MAX_INTEGER = 999_999_999_999_999_999L; // 18 digits: Values.isInteger's limit

    private enum Kind { DOUBLE, LONG, BOOLEAN, TEXT }

    /**
     * Values are appended to blocks of this many and joined once at the end: doubling one array would copy every value
     * about twice and, for a million rows, allocate ever larger arrays that the collector must find room for (it took
     * more time than DuckDB's whole scan).
     */
    static final int BLOCK = 1 << 16;

    private final Kind kind;
    private final List<double[]> doubleBlocks = new ArrayList<>();
    private final List<long[]> longBlocks = new ArrayList<>();
    private double[] doubles;
    private long[] longs;
    private int inBlock;
    private final BitSet nulls = new BitSet();
    private final RawColumn text;
    private int size;
    private int present;
    private boolean fitsItsType = true;

    /** Whether this column is one of the "other columns" ({@link ReadOptions#otherColumns}): converted to that type. */
    private final boolean other;

    /** Whether DuckDB types the column JSON: its strings come with their quotes ({@link JsonCells}). */
    private final boolean json;

    private TypedColumn(Kind kind, boolean other, boolean json) {
        this.kind = kind;
        this.other = other;
        this.json = json;
        this.text = kind == Kind.TEXT ? RawColumn.keepingLevels() : null; // a String a cell already: levels
        inBlock = BLOCK; // the first value opens the first block
    }

    static TypedColumn of(String sqlType) {
        switch (sqlType) {
            case "DOUBLE":
                return new TypedColumn(Kind.DOUBLE, false, false);
            case "BIGINT": case "INTEGER": case "SMALLINT": case "TINYINT":
                return new TypedColumn(Kind.LONG, false, false);
            case "BOOLEAN":
                return new TypedColumn(Kind.BOOLEAN, false, false);
            default:
                return new TypedColumn(Kind.TEXT, false, JsonCells.isJson(sqlType));
        }
    }

    /**
     * The type {@link #column} gives a column of {@code sqlType} fetched by its type when its values fit it (some value
     * present, no infinity, integers of at most 18 digits): NUMERIC, INTEGER or BOOLEAN; null for a type fetched as text,
     * whose type depends on all its values. The sketchers that never build such a column use it
     * ({@link JsonLinesChunkColumns}, {@link DuckDbChunkColumns}).
     */
    static ColumnType typeWhenItFits(String sqlType) {
        return switch (of(sqlType).kind) {
            case DOUBLE -> ColumnType.NUMERIC;
            case LONG -> ColumnType.INTEGER;
            case BOOLEAN -> ColumnType.BOOLEAN;
            case TEXT -> null;
        };
    }

    /**
     * The column a read with {@code options} fetches column {@code name} of SQL type {@code sqlType} into: as text for
     * an "other column" ({@link ReadOptions#otherColumns}, unless {@code named} among the columns the caller forces by
     * name) and for a label column, else by its SQL type.
     */
    static TypedColumn forColumn(String name, String sqlType, ReadOptions options, java.util.Set<String> named) {
        boolean json = JsonCells.isJson(sqlType);
        if (options.otherColumns() != null && !named.contains(name)) {
            // An "other column" (e.g. TEXT as written for the columns `kiln predict` passes through): fetched as text
            // and converted to that type exactly as the text route converts it.
            return new TypedColumn(Kind.TEXT, true, json);
        }
        return options.labelColumns().contains(name) ? new TypedColumn(Kind.TEXT, false, json) : of(sqlType);
    }

    /** Whether this column is fetched as text and typed from it (a string column, a label, an "other column"). */
    boolean fetchesText() {
        return kind == Kind.TEXT;
    }

    void add(ResultSet rs, int column) throws SQLException {
        switch (kind) {
            case DOUBLE -> {
                double v = rs.getDouble(column);
                addDouble(v, rs.wasNull());
            }
            case LONG, BOOLEAN -> {
                long v = kind == Kind.LONG ? rs.getLong(column) : rs.getBoolean(column) ? 1 : 0;
                addLong(v, rs.wasNull());
            }
            default -> addText(JsonCells.string(rs, column, json));
        }
    }

    /**
     * Adds the first {@code rows} values of one of DuckDB's result chunks ({@link DuckDbChunks}): the same values as
     * {@link #add(ResultSet, int)} row by row. {@code type} is the vector's C API type, one {@link DuckDbChunks} reads.
     */
    void add(DuckDBReadableVector vector, int type, int rows) {
        for (int r = 0; r < rows; r++) {
            boolean isNull = vector.isNull(r);
            if (kind == Kind.TEXT) {
                addText(isNull ? null : DuckDbChunks.text(vector, type, r)); // never JSON: DuckDbChunks.hasJson
            } else if (kind == Kind.DOUBLE) {
                addDouble(isNull ? 0 : vector.getDouble(r), isNull);
            } else {
                addLong(isNull ? 0 : DuckDbChunks.integer(vector, type, r), isNull);
            }
        }
    }

    /**
     * Adds the first {@code rows} values of a chunk that {@link JsonLinesReader} parsed, DuckDB typing its column
     * {@code sqlType} (DOUBLE, BIGINT, BOOLEAN or VARCHAR): {@code values} (NaN for null; exact integers; 1 and 0 for
     * booleans) or {@code texts} (null for null), both null when the chunk held only nulls. The same values as
     * {@link #add(ResultSet, int)} row by row, text included.
     */
    void add(double[] values, String[] texts, int rows, String sqlType) {
        for (int r = 0; r < rows; r++) {
            boolean isNull = values == null ? texts == null || texts[r] == null : Double.isNaN(values[r]);
            if (kind == Kind.TEXT) {
                addText(isNull ? null : switch (sqlType) {
                    case "VARCHAR" -> texts[r];
                    case "DOUBLE" -> Double.toString(values[r]);
                    case "BOOLEAN" -> values[r] == 1 ? "true" : "false";
                    default -> Long.toString((long) values[r]);
                });
            } else if (kind == Kind.DOUBLE) {
                addDouble(isNull ? 0 : values[r], isNull);
            } else {
                addLong(isNull ? 0 : (long) values[r], isNull);
            }
        }
    }

    private void addDouble(double v, boolean isNull) {
        if (isNull) {
            nulls.set(size);
            v = Double.NaN;
        } else if (Double.isInfinite(v)) {
            fitsItsType = false;
        } else if (!Double.isNaN(v)) {
            present++;
        }
        if (inBlock == BLOCK) {
            doubles = new double[BLOCK];
            doubleBlocks.add(doubles);
            inBlock = 0;
        }
        doubles[inBlock++] = v;
        size++;
    }

    private void addLong(long v, boolean isNull) {
        if (isNull) {
            nulls.set(size);
        } else {
            present++;
            if (v > MAX_INTEGER || v < -MAX_INTEGER) {
                fitsItsType = false;
            }
        }
        if (inBlock == BLOCK) {
            longs = new long[BLOCK];
            longBlocks.add(longs);
            inBlock = 0;
        }
        longs[inBlock++] = v;
        size++;
    }

    private void addText(String value) {
        text.add(value); // null -> empty text -> missing
        size++;
    }

    DataColumn column(String name, String source, ReadOptions options) {
        if (other) {
            return SchemaInference.asOtherColumn(name, text, source, options);
        }
        if (kind != Kind.TEXT && present > 0 && fitsItsType) {
            if (kind == Kind.DOUBLE) {
                return new NumericColumn(name, ColumnType.NUMERIC, joinedDoubles());
            }
            long[] longs = joinedLongs();
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = nulls.get(i) ? Double.NaN : longs[i];
            }
            return new NumericColumn(name, kind == Kind.LONG ? ColumnType.INTEGER : ColumnType.BOOLEAN, values);
        }
        return SchemaInference.inferred(name, kind == Kind.TEXT ? text : asText(), source, options);
    }

    private double[] joinedDoubles() {
        double[] out = new double[size];
        join(doubleBlocks, out);
        return out;
    }

    private long[] joinedLongs() {
        long[] out = new long[size];
        join(longBlocks, out);
        return out;
    }

    /** Copies the blocks, in order, into {@code out} (an array of {@link #size} of their element type). */
    private void join(List<?> blocks, Object out) {
        for (int b = 0; b < blocks.size(); b++) {
            int from = b * BLOCK;
            System.arraycopy(blocks.get(b), 0, out, from, Math.min(BLOCK, size - from));
        }
    }

    /** The values as JDBC's getString gives them: what the text route types ({@link DuckDbBatches} falls back to it). */
    RawColumn text() {
        return kind == Kind.TEXT ? text : asText();
    }

    /** The values as JDBC's getString gives them, for typing by the text rules. */
    private RawColumn asText() {
        double[] doubles = kind == Kind.DOUBLE ? joinedDoubles() : null;
        long[] longs = kind == Kind.DOUBLE ? null : joinedLongs();
        RawColumn out = new RawColumn();
        for (int i = 0; i < size; i++) {
            if (nulls.get(i)) {
                out.add((String) null);
            } else if (kind == Kind.DOUBLE) {
                out.add(Double.toString(doubles[i]));
            } else if (kind == Kind.LONG) {
                out.add(Long.toString(longs[i]));
            } else {
                out.add(longs[i] == 1 ? "true" : "false");
            }
        }
        return out;
    }
}
