package dev.kiln.data;

import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Sketches or profiles a JSON-lines file of the plain shape as {@link JsonLinesReader} parses it: a column of numbers or
 * booleans goes to its {@link ChunkedColumns} chunk by chunk in file order, without building the column; a string
 * column is built as the whole read builds it (its type depends on all its values) and handed over at the end. The
 * sketches, types and profiles are exactly those of reading the file whole ({@link DataReader#read}) and sketching or
 * profiling the frame.
 *
 * <p>Gives null, and the caller reads the file another way, where {@link JsonLinesReader} declines, for label and
 * "other" columns ({@link ReadOptions#labelColumns}, {@link ReadOptions#otherColumns}), for a forced type other than
 * the one the column has, and, for a file too big to read whole, for any string column (its values would be held).
 */
final class JsonLinesChunkColumns<T> implements JsonLinesReader.Sink<T> {
    private final Path file;
    private final ReadOptions options;
    private final boolean whole;
    private final Function<Integer, ChunkedColumns<T>> collector;
    private final RowEstimate estimate; // null when the collector is not told the rows to expect
    private ChunkedColumns<T> columns;
    private List<String> names;
    private String[] sqlTypes;
    private ColumnType[] types;
    private TypedColumn[] text;
    private long rows;
    private long bytes;

    private JsonLinesChunkColumns(Path file, ReadOptions options, boolean whole,
                                  Function<Integer, ChunkedColumns<T>> collector, RowEstimate estimate) {
        this.file = file;
        this.options = options;
        this.whole = whole;
        this.collector = collector;
        this.estimate = estimate;
    }

    /**
     * The file's sketch and types, or null (see the class comment); {@code whole} says whether it fits in memory
     * ({@link Sketcher#fitsInMemory}).
     */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories, boolean whole) {
        return read(file, options, whole, false, width -> new SketchedColumns(width, k, maxCategories));
    }

    /** The profile of a file that fits in memory, as {@code Profiler.profile(DataReader.read(file))}, or null. */
    static DatasetProfile profile(Path file) {
        CompletableFuture<String> hash = FileHash.meanwhile(file);
        DatasetProfile profile = null;
        try {
            profile = read(file, ReadOptions.defaults(), true, true,
                    width -> new ProfiledColumns(width, file.toString(), () -> FileHash.joined(hash)));
        } finally {
            if (profile == null) {
                hash.cancel(false); // stops it: the whole read hashes the file itself
            }
        }
        return profile;
    }

    /**
     * What {@code collector} makes of the file, or null; with {@code expectRows}, it is told the rows the file is
     * expected to hold as chunks come (a profile sizes its arrays by them; a sketch has none to size).
     */
    private static <T> T read(Path file, ReadOptions options, boolean whole, boolean expectRows,
                              Function<Integer, ChunkedColumns<T>> collector) {
        if (!options.labelColumns().isEmpty() || options.otherColumns() != null) {
            return null;
        }
        RowEstimate estimate;
        try {
            estimate = expectRows ? RowEstimate.of(file, Files.size(file)) : null;
        } catch (IOException e) {
            return null; // the whole read names it
        }
        return JsonLinesReader.read(file, new JsonLinesChunkColumns<>(file, options, whole, collector, estimate));
    }

    @Override
    public void start(List<String> names, String[] sqlTypes) {
        int width = names.size();
        this.names = names;
        this.sqlTypes = sqlTypes;
        columns = collector.apply(width);
        types = new ColumnType[width];
        text = new TypedColumn[width];
        for (int c = 0; c < width; c++) {
            ColumnType natural = TypedColumn.typeWhenItFits(sqlTypes[c]); // null for VARCHAR: typed from all its values
            ColumnType forced = options.types().get(names.get(c));
            if (forced != null && forced != natural || natural == null && !whole) {
                throw new JsonLineParser.Decline("a forced type, or text in a file too big to hold");
            }
            types[c] = natural;
            if (natural != null) {
                columns.numbers(c);
            } else {
                text[c] = TypedColumn.forColumn(names.get(c), sqlTypes[c], options, Set.of());
            }
        }
    }

    @Override
    public void add(JsonLineParser.Chunk chunk) {
        int n = chunk.rows();
        rows += n;
        bytes += chunk.bytes();
        if (estimate != null) {
            columns.expectRows(estimate.rows(rows, bytes)); // a profile's arrays are sized once when the estimate holds
        }
        for (int c = 0; c < names.size(); c++) {
            JsonLineParser.Column column = chunk.columns()[c];
            if (text[c] != null) {
                text[c].add(column.values, column.texts, n, sqlTypes[c]);
            } else if (column.values != null) { // else only nulls in this chunk
                columns.add(c, column.values, n);
            }
            chunk.columns()[c] = null;
        }
    }

    @Override
    public T result(long rows) {
        DataColumn[] built = new DataColumn[names.size()];
        for (int c = 0; c < built.length; c++) {
            if (text[c] != null) {
                built[c] = text[c].column(names.get(c), file.toString(), options.withTypes(Map.of()));
                text[c] = null;
            }
        }
        return columns.result(rows, names, types, built);
    }
}
