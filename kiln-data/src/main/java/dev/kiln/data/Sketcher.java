package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.TypeVotes;
import dev.kiln.runtime.schema.Values;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Builds {@link DatasetSketch}es (bounded memory per column) from a {@link DataFrame} or a file.
 *
 * <p>Delimited text ({@code .csv}, {@code .tsv}, {@code .txt}) that {@linkplain #fitsInMemory fits in memory} is
 * sketched as the parallel reader parses it, chunk by chunk in file order ({@link CsvChunkSketcher}: the sketches and
 * types of reading it whole, without building its columns), or, where that cannot give them, read whole by
 * {@link DataReader#read} (parallel, into columns) and sketched column by column on every core. A larger
 * file is streamed: rows are never held, so memory does not grow with the number of rows. Column types are taken from
 * {@link ReadOptions#types()} / {@link ReadOptions#otherColumns()}; when some column has neither, a
 * first streaming pass infers them with the rules of {@link SchemaInference} (boolean, integer,
 * numeric, datetime over <em>every</em> value, so the types equal {@link DataReader#read}'s), except
 * that the free-text rule (TEXT vs CATEGORICAL) is judged on the first {@value #TEXT_SAMPLE} present
 * values of the column, to keep memory bounded. Parsing follows {@link Values}; a value that does not
 * fit a forced type is {@link ErrorCode#DATA_MALFORMED} naming the line and column, worded as
 * {@link DataReader} words it. Types given for columns the file lacks are ignored (so a drift check can
 * pass the reference's types and still report the missing column), unlike {@link DataReader}.
 *
 * <p>JSON lines of the plain shape and Parquet files are sketched as they are read ({@link JsonLinesChunkColumns},
 * {@link DuckDbChunkColumns}: the sketches and types of reading them whole). Other Parquet and JSON files that fit in
 * memory are read with {@link DataReader#read} and then sketched; larger ones are streamed through DuckDB
 * ({@link DuckDbSketcher}, the same rules), unless a column's type needs the whole read.
 */
public final class Sketcher {
    /** Present values per column on which the free-text rule is judged when streaming. */
    public static final int TEXT_SAMPLE = 10_000;
    /** Tests set this to 0 to stream every file; -1 (the default) means a quarter of the heap. */
    static volatile long wholeFileLimitBytes = -1;

    private Sketcher() {
    }

    public static DatasetSketch sketch(DataFrame frame) {
        return sketch(frame, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES);
    }

    public static DatasetSketch sketch(DataFrame frame, int k, int maxCategories) {
        // Columns on every core; each column's values still go into its sketch in row order, so the sketches are
        // the same as one thread's (a sketch is a function of its values and their order).
        List<DataColumn> all = frame.columns();
        List<ColumnSketch> columns = IntStream.range(0, all.size()).parallel()
                .mapToObj(i -> sketch(all.get(i), k, maxCategories)).toList();
        return new DatasetSketch(frame.rowCount(), columns);
    }

    static ColumnSketch sketch(DataColumn c, int k, int maxCategories) {
        long missing = 0;
        if (c instanceof NumericColumn n) {
            QuantileSketch q = new QuantileSketch(k);
            missing = q.addAllPresent(n.values(), 0, n.size()); // the same sketch as add on each present value
            return new ColumnSketch(c.name(), c.type(), missing, q, null);
        }
        StringColumn s = (StringColumn) c;
        CategoryCounts counts = new CategoryCounts(maxCategories);
        for (int i = 0, size = s.size(); i < size; i++) {
            String v = s.value(i);
            if (v == null) {
                missing++;
            } else {
                counts.add(v);
            }
        }
        return new ColumnSketch(c.name(), c.type(), missing, null, counts);
    }

    public static DatasetSketch sketch(Path file, ReadOptions options) {
        return sketch(file, options, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES);
    }

    public static DatasetSketch sketch(Path file, ReadOptions options, int k, int maxCategories) {
        ReadOptions opts = options == null ? ReadOptions.defaults() : options;
        Path real = resolve(file);
        String name = real.getFileName().toString().toLowerCase(Locale.ROOT);
        if (isCsv(name)) {
            boolean whole = fitsInMemory(real);
            Typed chunked = chunked(real, opts, k, maxCategories, whole);
            if (chunked != null) {
                return chunked.sketch();
            }
            if (!whole) {
                Character delimiter = opts.delimiter() == null && name.endsWith(".tsv") ? Character.valueOf('\t')
                        : opts.delimiter();
                return streamCsv(real, delimiter, opts, k, maxCategories);
            }
            return sketch(readIgnoringAbsentTypes(real, opts), k, maxCategories);
        }
        boolean whole = fitsInMemory(real);
        Typed read = whileReading(real, opts, k, maxCategories, whole);
        if (read != null) {
            return read.sketch();
        }
        Typed streamed = streamDuckDb(real, opts, k, maxCategories, whole);
        return streamed != null ? streamed.sketch() : sketch(readIgnoringAbsentTypes(real, opts), k, maxCategories);
    }

    /**
     * A JSON-lines (.jsonl, or .json of the plain shape) or Parquet file sketched as it is read ({@link JsonLinesChunkColumns}, {@link DuckDbChunkColumns}), or
     * null. Its memory does not grow with the rows of its number columns, so a file too big to read whole goes this way
     * too when it has no string column (for JSON lines, when the chunks in flight, {@link JsonLinesReader#inFlightBytes},
     * fit a quarter of the heap as well; DuckDB's chunks are small). {@code whole}: whether it {@link #fitsInMemory}.
     */
    private static Typed whileReading(Path real, ReadOptions opts, int k, int maxCategories, boolean whole) {
        DuckDbReader.Format format = DataReader.duckDbFormat(real);
        if (format == DuckDbReader.Format.PARQUET) {
            return DuckDbChunkColumns.sketch(real, opts, k, maxCategories, whole);
        }
        if (format != DuckDbReader.Format.JSON_LINES && format != DuckDbReader.Format.JSON) {
            return null;
        }
        if (!whole && JsonLinesReader.inFlightBytes() > Runtime.getRuntime().maxMemory() / 4) {
            return null;
        }
        return JsonLinesChunkColumns.sketch(real, opts, k, maxCategories, whole);
    }

    /**
     * A CSV file sketched as the parallel reader parses it ({@link CsvChunkSketcher}), or null. Its memory does not grow
     * with the rows, so a file too big to read whole goes this way too (3.5x faster than streaming it on one thread:
     * `kiln drift` on 1M x 21 rows with -Xmx600m, 2.1 s against 8 s), as long as its text columns have at most
     * {@value #MAX_LEVELS_STREAMED} distinct values each (the free-text rule keeps them all until the end) and the
     * chunks in flight ({@link ParallelCsvReader#inFlightBytes}) fit a quarter of the heap.
     */
    private static Typed chunked(Path real, ReadOptions opts, int k, int maxCategories, boolean whole) {
        if (!whole && (!chunkedWhenTooBig || ParallelCsvReader.inFlightBytes() > Runtime.getRuntime().maxMemory() / 4)) {
            // The chunks in flight must fit a quarter of the heap too (96 MB on 2 cores): a small heap (kiln drift runs
            // in -Xmx128m) streams on one thread, a few rows at a time.
            return null;
        }
        return CsvChunkSketcher.sketch(real, opts, k, maxCategories, whole ? Integer.MAX_VALUE : MAX_LEVELS_STREAMED);
    }

    /**
     * A CSV file's sketch and types made as the parallel reader parses it, whatever its size (text columns of at most
     * {@value #MAX_LEVELS_STREAMED} distinct values each when it is too big to read whole); null when it is not CSV or
     * that way declines it. `kiln drift` asks this first of a reference too big to read whole, and streams both files
     * together only when it gives null.
     */
    public static Typed sketchWhileParsing(Path file, ReadOptions options) {
        ReadOptions opts = options == null ? ReadOptions.defaults() : options;
        Path real = resolve(file);
        if (!isCsv(real.getFileName().toString().toLowerCase(Locale.ROOT))) {
            return null;
        }
        return chunked(real, opts, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES, fitsInMemory(real));
    }

    /** Distinct values per text column up to which a file too big to read whole is sketched in parallel. */
    static final int MAX_LEVELS_STREAMED = 10_000;
    /** Tests set this to false to stream a file too big to read whole on one thread, as when the parallel way declines. */
    static volatile boolean chunkedWhenTooBig = true;

    /**
     * A Parquet or JSON file too big to read whole ({@code whole} false: it does not {@link #fitsInMemory}), streamed
     * ({@link DuckDbSketcher}); null to read it whole.
     */
    private static Typed streamDuckDb(Path real, ReadOptions opts, int k, int maxCategories, boolean whole) {
        DuckDbReader.Format format = DataReader.duckDbFormat(real);
        return format == null || whole ? null : DuckDbSketcher.sketch(real, format, opts, k, maxCategories);
    }

    /** A file's sketch and the column types it was sketched with. */
    public record Typed(DatasetSketch sketch, Map<String, ColumnType> types) {
    }

    /**
     * Sketches a file and says which types its columns got: one read when the file {@linkplain #fitsInMemory fits in
     * memory}, else a pass to infer the types ({@link #inferTypes}) and a streaming pass to sketch with them.
     */
    public static Typed sketchWithTypes(Path file, ReadOptions options) {
        ReadOptions opts = options == null ? ReadOptions.defaults() : options;
        Path real = resolve(file);
        boolean csv = isCsv(real.getFileName().toString().toLowerCase(Locale.ROOT));
        boolean whole = fitsInMemory(real);
        if (csv && !whole) {
            Typed chunked = chunked(real, opts, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES, false);
            if (chunked != null) {
                return chunked;
            }
            Map<String, ColumnType> types = inferTypes(real, opts);
            return new Typed(sketch(real, opts.withTypes(types)), types);
        }
        Typed read = csv ? null : whileReading(real, opts, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES,
                whole);
        if (read != null) {
            return read;
        }
        Typed streamed = csv
                ? CsvChunkSketcher.sketch(real, opts, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES)
                : streamDuckDb(real, opts, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES, whole);
        if (streamed != null) {
            return streamed;
        }
        DataFrame frame = readIgnoringAbsentTypes(real, opts);
        Map<String, ColumnType> types = new java.util.LinkedHashMap<>();
        for (var f : frame.schema().fields()) {
            types.put(f.name(), f.type());
        }
        return new Typed(sketch(frame), types);
    }

    /**
     * Whether a delimited file is read whole (in parallel, into columns, then sketched column by column on every
     * core) rather than streamed (one thread, rows never held, memory independent of the rows): whole when its
     * size is under a quarter of the heap this JVM may use, which leaves room for the columns (about 8 bytes per
     * numeric cell, fewer than the text's bytes for typical numbers) and the parser's buffers; for Parquet, whose
     * compression can make its columns many times its size, its rows times its columns times 8 bytes must be under it
     * too. The two give the same
     * sketches, except that streaming judges free text on the first {@value #TEXT_SAMPLE} values of a column.
     */
    public static boolean fitsInMemory(Path file) {
        try {
            long limit = wholeFileLimitBytes >= 0 ? wholeFileLimitBytes : Runtime.getRuntime().maxMemory() / 4;
            long size = Files.size(file);
            if (size >= limit) {
                return false;
            }
            // Parquet is compressed: its columns may take many times its size. Judge by 8 bytes per cell instead.
            DuckDbReader.Format format = DataReader.duckDbFormat(file);
            return format != DuckDbReader.Format.PARQUET || DuckDbSketcher.cells(file, format) * 8 < limit;
        } catch (IOException | KilnException e) {
            return false; // streaming then names the problem
        }
    }

    private static boolean isCsv(String lowerCaseName) {
        return lowerCaseName.endsWith(".csv") || lowerCaseName.endsWith(".tsv") || lowerCaseName.endsWith(".txt");
    }

    private static DataFrame readIgnoringAbsentTypes(Path real, ReadOptions opts) {
        DataFrame frame;
        try {
            frame = DataReader.read(real, opts);
        } catch (KilnException e) {
            if (e.code() != ErrorCode.COLUMN_MISSING || !(e.details().get("available") instanceof List<?> available)) {
                throw e;
            }
            // Ignore types for columns this file lacks (see the class comment) and read again.
            Map<String, ColumnType> kept = new HashMap<>(opts.types());
            kept.keySet().retainAll(new HashSet<>(available));
            frame = DataReader.read(real, opts.withTypes(kept));
        }
        return frame;
    }

    private static DatasetSketch streamCsv(Path file, Character delimiter, ReadOptions opts, int k, int maxCategories) {
        List<String> names = header(file, delimiter);
        ColumnType[] types = new ColumnType[names.size()];
        boolean[] forced = new boolean[names.size()];
        boolean needInference = false;
        for (int c = 0; c < types.length; c++) {
            types[c] = opts.types().getOrDefault(names.get(c), opts.otherColumns());
            forced[c] = types[c] != null;
            needInference |= types[c] == null;
        }
        if (needInference) {
            infer(file, delimiter, types);
            for (int c = 0; c < types.length; c++) {
                types[c] = forced[c] ? types[c] : SchemaInference.asRead(names.get(c), types[c], opts);
            }
        }
        return sketchWithTypes(file, delimiter, names, types, forced, k, maxCategories);
    }

    /**
     * The column types of a data file, as {@link #sketch(Path, ReadOptions)} would infer them (a CSV is streamed
     * once; other formats are read). Sketching several files with the types of one of them — in parallel, say —
     * then needs one pass per file.
     */
    public static Map<String, ColumnType> inferTypes(Path file, ReadOptions options) {
        ReadOptions opts = options == null ? ReadOptions.defaults() : options;
        Path real = resolve(file);
        String name = real.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, ColumnType> out = new java.util.LinkedHashMap<>();
        if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt")) {
            Character delimiter = opts.delimiter() == null && name.endsWith(".tsv") ? Character.valueOf('\t') : opts.delimiter();
            List<String> names = header(real, delimiter);
            ColumnType[] types = new ColumnType[names.size()];
            boolean[] forced = new boolean[names.size()];
            for (int c = 0; c < types.length; c++) {
                types[c] = opts.types().getOrDefault(names.get(c), opts.otherColumns());
                forced[c] = types[c] != null;
            }
            infer(real, delimiter, types);
            for (int c = 0; c < types.length; c++) {
                out.put(names.get(c), forced[c] ? types[c] : SchemaInference.asRead(names.get(c), types[c], opts));
            }
            return out;
        }
        DuckDbReader.Format format = DataReader.duckDbFormat(real);
        if (format != null && !fitsInMemory(real)) {
            Map<String, ColumnType> streamed = DuckDbSketcher.inferTypes(real, format, opts);
            if (streamed != null) {
                return streamed;
            }
        }
        for (var f : DataReader.read(real, opts).schema().fields()) {
            out.put(f.name(), f.type());
        }
        return out;
    }

    /** Fills the null entries of {@code types} by one streaming pass over the file. */
    private static void infer(Path file, Character delimiter, ColumnType[] types) {
        {
            Inference[] inference = new Inference[types.length];
            for (int c = 0; c < types.length; c++) {
                inference[c] = types[c] == null ? new Inference() : null;
            }
            run(file, delimiter, new CsvReader.RowSink() {
                @Override
                public void header(List<String> header) {
                }

                @Override
                public void row(CsvParser p, int line) {
                    for (int c = 0; c < inference.length; c++) {
                        if (inference[c] != null) {
                            inference[c].accept(new String(p.chars(), p.start(c), p.length(c)));
                        }
                    }
                }
            });
            for (int c = 0; c < types.length; c++) {
                if (inference[c] != null) {
                    types[c] = inference[c].type();
                }
            }
        }
    }

    private static DatasetSketch sketchWithTypes(Path file, Character delimiter, List<String> names, ColumnType[] types,
                                                 boolean[] forced, int k, int maxCategories) {
        String source = file.toString();
        QuantileSketch[] quantiles = new QuantileSketch[types.length];
        CategoryCounts[] categories = new CategoryCounts[types.length];
        long[] missing = new long[types.length];
        for (int c = 0; c < types.length; c++) {
            if (types[c].isNumericLike()) {
                quantiles[c] = new QuantileSketch(k);
            } else {
                categories[c] = new CategoryCounts(maxCategories);
            }
        }
        long rows = run(file, delimiter, new CsvReader.RowSink() {
            @Override
            public void header(List<String> header) {
            }

            @Override
            public void row(CsvParser p, int line) {
                for (int c = 0; c < types.length; c++) {
                    String s = new String(p.chars(), p.start(c), p.length(c));
                    if (Values.isMissingToken(s)) {
                        missing[c]++;
                    } else if (quantiles[c] != null) {
                        double d = Values.parseFitting(types[c], s);
                        if (Double.isNaN(d)) {
                            throw doesNotFit(names.get(c), types[c], forced[c], s, source, line);
                        }
                        quantiles[c].add(d);
                    } else {
                        categories[c].add(s.trim());
                    }
                }
            }
        });
        List<ColumnSketch> columns = new ArrayList<>(types.length);
        for (int c = 0; c < types.length; c++) {
            columns.add(new ColumnSketch(names.get(c), types[c], missing[c], quantiles[c], categories[c]));
        }
        return new DatasetSketch(rows, columns);
    }

    /** Reads just the header (the first record); the stream stops there. */
    private static List<String> header(Path file, Character delimiter) {
        List<String> out = new ArrayList<>();
        final class Stop extends RuntimeException {
            Stop() {
                super(null, null, false, false);
            }
        }
        try {
            run(file, delimiter, new CsvReader.RowSink() {
                @Override
                public void header(List<String> names) {
                    out.addAll(names);
                    throw new Stop();
                }

                @Override
                public void row(CsvParser parser, int line) {
                }
            });
        } catch (Stop stop) {
            return out;
        }
        return out;
    }

    private static long run(Path file, Character delimiter, CsvReader.RowSink sink) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return CsvReader.stream(in, file.toString(), delimiter, sink);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
    }

    private static Path resolve(Path path) {
        return DataReader.resolve(path);
    }

    /** Streaming form of {@link SchemaInference}'s rules (see the class comment for the text rule). */
    static final class Inference {
        final TypeVotes votes = new TypeVotes();
        long present;
        // free-text rule on a bounded sample
        final Set<String> distinct = new HashSet<>();
        long sampled;
        long sampledLength;
        long sampledWithSpace;

        void accept(String s) {
            if (Values.isMissingToken(s)) {
                return;
            }
            present++;
            if (sampled < TEXT_SAMPLE) {
                String t = s.trim();
                sampled++;
                sampledLength += t.length();
                distinct.add(t);
                if (SchemaInference.containsWhitespace(t)) {
                    sampledWithSpace++;
                }
            }
            if (votes.anyLeft()) {
                votes.accept(s);
            }
        }

        ColumnType type() {
            if (present == 0) {
                return ColumnType.CATEGORICAL;
            }
            ColumnType voted = votes.type();
            if (voted != null) {
                return voted;
            }
            boolean text = SchemaInference.isFreeText(sampled, distinct.size(), sampledLength, sampledWithSpace);
            return text ? ColumnType.TEXT : ColumnType.CATEGORICAL;
        }
    }

    private static KilnException doesNotFit(String column, ColumnType type, boolean forced, String value,
                                            String source, int line) {
        return SchemaInference.doesNotFit(column, type, forced, value, source, "line " + line);
    }
}
