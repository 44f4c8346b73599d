package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sketches a JSON-lines file of the plain shape as {@link JsonLinesReader} parses it: a column of numbers or booleans
 * goes into its quantile sketch chunk by chunk in file order (so each sketch sees its values in row order, as a sketch
 * of the whole column would), without building the column; a string column is built as the whole read builds it
 * (its type depends on all its values) and sketched at the end. The sketches and types are exactly those of reading
 * the file whole ({@link DataReader#read}) and sketching the frame ({@link Sketcher#sketch(DataFrame, int, int)}).
 *
 * <p>Gives null, and the caller reads the file another way, where {@link JsonLinesReader} declines, for label and
 * "other" columns ({@link ReadOptions#labelColumns}, {@link ReadOptions#otherColumns}), for a forced type other than
 * the one the column has, and, for a file too big to read whole, for any string column (its values would be held).
 */
final class JsonLinesSketcher implements JsonLinesReader.Sink<Sketcher.Typed> {
    private final Path file;
    private final ReadOptions options;
    private final int k;
    private final int maxCategories;
    private final boolean whole;
    private List<String> names;
    private String[] sqlTypes;
    private ColumnType[] types;
    private QuantileSketch[] quantiles;
    private long[] missing;
    private TypedColumn[] text;

    private JsonLinesSketcher(Path file, ReadOptions options, int k, int maxCategories, boolean whole) {
        this.file = file;
        this.options = options;
        this.k = k;
        this.maxCategories = maxCategories;
        this.whole = whole;
    }

    /**
     * The file's sketch and types, or null (see the class comment); {@code whole} says whether it fits in memory
     * ({@link Sketcher#fitsInMemory}).
     */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories, boolean whole) {
        if (!options.labelColumns().isEmpty() || options.otherColumns() != null) {
            return null;
        }
        return JsonLinesReader.read(file, new JsonLinesSketcher(file, options, k, maxCategories, whole));
    }

    @Override
    public void start(List<String> names, String[] sqlTypes) {
        int width = names.size();
        this.names = names;
        this.sqlTypes = sqlTypes;
        types = new ColumnType[width];
        quantiles = new QuantileSketch[width];
        missing = new long[width];
        text = new TypedColumn[width];
        for (int c = 0; c < width; c++) {
            ColumnType natural = TypedColumn.typeWhenItFits(sqlTypes[c]); // null for VARCHAR: typed from all its values
            ColumnType forced = options.types().get(names.get(c));
            if (forced != null && forced != natural || natural == null && !whole) {
                throw new JsonLineParser.Decline("a forced type, or text in a file too big to hold");
            }
            types[c] = natural;
            if (natural != null) {
                quantiles[c] = new QuantileSketch(k);
            } else {
                text[c] = TypedColumn.forColumn(names.get(c), sqlTypes[c], options, Set.of());
            }
        }
    }

    @Override
    public void add(JsonLineParser.Chunk chunk) {
        int rows = chunk.rows();
        for (int c = 0; c < names.size(); c++) {
            JsonLineParser.Column column = chunk.columns()[c];
            if (text[c] != null) {
                text[c].add(column.values, column.texts, rows, sqlTypes[c]);
            } else if (column.values == null) {
                missing[c] += rows; // only nulls in this chunk
            } else {
                missing[c] += quantiles[c].addAllPresent(column.values, 0, rows);
            }
            chunk.columns()[c] = null;
        }
    }

    @Override
    public Sketcher.Typed result(long rows) {
        List<ColumnSketch> columns = new ArrayList<>(names.size());
        Map<String, ColumnType> typed = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            ColumnSketch sketch;
            if (text[c] != null) {
                DataColumn column = text[c].column(names.get(c), file.toString(), options.withTypes(Map.of()));
                text[c] = null;
                sketch = Sketcher.sketch(column, k, maxCategories);
            } else {
                sketch = new ColumnSketch(names.get(c), types[c], missing[c], quantiles[c], null);
            }
            columns.add(sketch);
            typed.put(names.get(c), sketch.type());
        }
        return new Sketcher.Typed(new DatasetSketch(rows, columns), typed);
    }
}
