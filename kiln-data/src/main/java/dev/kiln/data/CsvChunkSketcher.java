package dev.kiln.data;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sketches a CSV file while the parallel reader parses it: each parsed chunk's columns go into the column sketches as
 * soon as every chunk before it is in (file order, so each sketch sees its values in row order, as a sketch of the
 * whole column would), and the chunk's number arrays go back to the reader for the chunks it parses next. No whole
 * column is built and no chunk outlives its turn, so the collector has next to nothing to copy, where reading whole kept
 * the file's columns twice (chunks, then the joined columns) and sketching them was a pass of its own.
 *
 * <p>The sketches and types are exactly those of reading the file whole ({@link DataReader#read}, which types each
 * column by {@link ChunkMerger}'s rule) and sketching the frame ({@link Sketcher#sketch(DataFrame, int, int)}). A file
 * this cannot sketch that way gives null, and the caller reads it whole: a column read as numbers in some chunks and
 * as text in others (its number chunks would need parsing again as text), numbers whose kinds mix across chunks (text
 * overall), label columns ({@link ReadOptions#labelColumns}), and any problem the reader reports (the whole read then
 * throws the exact error).
 */
final class CsvChunkSketcher implements Consumer<CsvChunk> {
    private static final int UNSEEN = 0;
    private static final int NUMBERS = 1;
    private static final int TEXT = 2;

    private final int k;
    private final int maxCategories;
    private final int maxLevels;
    private int[] state;
    private QuantileSketch[] quantiles;
    private CategoryCounts[] categories;
    /** Per text column: each distinct value and how often it occurs, for the free-text rule. */
    private List<Map<String, ChunkMerger.Level>> levels;
    private long[] missing;
    private KindVotes votes;
    private long rows;
    /** Set when the file cannot be sketched this way (see the class comment): the caller reads it another way. */
    private boolean declined;

    private CsvChunkSketcher(int k, int maxCategories, int maxLevels) {
        this.k = k;
        this.maxCategories = maxCategories;
        this.maxLevels = maxLevels;
    }

    /** The file's sketch and types, or null when it must be read whole (see the class comment). */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories) {
        return sketch(file, options, k, maxCategories, Integer.MAX_VALUE);
    }

    /**
     * As above, declining also a file with a text column of more than {@code maxLevels} distinct values: the free-text
     * rule needs them all, kept until the end, which a file too big to read whole cannot afford without a bound.
     */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories, int maxLevels) {
        if (!options.labelColumns().isEmpty() || !ParallelCsvReader.handles(ParallelCsvReader.effective(file, options))) {
            return null;
        }
        CsvChunkSketcher sketcher = new CsvChunkSketcher(k, maxCategories, maxLevels);
        CsvChunkReader.ParsedFile parsed;
        try {
            parsed = ParallelCsvReader.readInOrder(file, options, sketcher);
        } catch (RuntimeException | IOException e) { // a Problem, or anything unexpected: the whole read names it
            ParallelCsvReader.rethrowError(e);
            return null;
        }
        return sketcher.declined ? null : sketcher.result(parsed.names(), parsed.forced());
    }

    /** Takes the next chunk in file order into the sketches (the reader then reuses its arrays). */
    @Override
    public void accept(CsvChunk chunk) {
        ChunkColumn[] columns = chunk.columns();
        if (state == null) {
            start(columns.length);
        }
        rows += chunk.rows();
        for (int c = 0; c < columns.length && !declined; c++) {
            ChunkColumn column = columns[c];
            if (column.isText()) {
                addText(c, column, chunk.rows());
            } else {
                addNumbers(c, column, chunk.rows());
            }
        }
        if (declined) { // stops the read: the rest of the file would be parsed for nothing
            throw new CsvChunkParser.Problem("declined: the file is read another way");
        }
    }

    private void start(int width) {
        state = new int[width];
        quantiles = new QuantileSketch[width];
        categories = new CategoryCounts[width];
        levels = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            levels.add(null);
        }
        missing = new long[width];
        votes = new KindVotes(width);
    }

    private void addNumbers(int c, ChunkColumn column, int n) {
        // A chunk of only missing values (no vote) is the same rows missing whatever the column turns out to be.
        if (column.present > 0 && !become(c, NUMBERS)) {
            return;
        }
        if (quantiles[c] == null) {
            quantiles[c] = new QuantileSketch(k);
        }
        missing[c] += quantiles[c].addAllPresent(column.numbers(), 0, n);
        votes.add(c, column);
    }

    private void addText(int c, ChunkColumn column, int n) {
        if (!become(c, TEXT)) {
            return;
        }
        if (categories[c] == null) {
            categories[c] = new CategoryCounts(maxCategories);
            levels.set(c, new HashMap<>());
        }
        ByteDictionary dictionary = column.levels();
        String[] local = dictionary.strings();
        Map<String, ChunkMerger.Level> seen = levels.get(c);
        for (int code = 0; code < local.length; code++) {
            seen.computeIfAbsent(local[code], ChunkMerger.Level::new).count += dictionary.count(code);
        }
        if (seen.size() > maxLevels) {
            declined = true;
            return;
        }
        int[] codes = column.codes();
        CategoryCounts counts = categories[c];
        for (int r = 0; r < n; r++) {
            int code = codes[r];
            if (code < 0) {
                missing[c]++;
            } else {
                counts.add(local[code]);
            }
        }
    }

    /** Moves column {@code c} to {@code next}; false (and the file is read whole) when it was the other kind. */
    private boolean become(int c, int next) {
        if (state[c] != UNSEEN && state[c] != next) {
            declined = true;
            return false;
        }
        state[c] = next;
        return true;
    }

    private Sketcher.Typed result(List<String> names, ColumnType[] forced) {
        List<ColumnSketch> columns = new ArrayList<>(names.size());
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            ColumnType type = forced[c] != null ? forced[c] : inferred(c);
            if (type == null) {
                return null; // number kinds mixed across chunks: text overall, from numbers parsed as text again
            }
            ColumnSketch sketch;
            if (type.isNumericLike()) {
                QuantileSketch q = quantiles[c] != null ? quantiles[c] : new QuantileSketch(k);
                sketch = new ColumnSketch(names.get(c), type, missing[c], q, null);
            } else {
                CategoryCounts counts = categories[c] != null ? categories[c] : new CategoryCounts(maxCategories);
                sketch = new ColumnSketch(names.get(c), type, missing[c], null, counts);
            }
            columns.add(sketch);
            types.put(names.get(c), type);
        }
        return new Sketcher.Typed(new DatasetSketch(rows, columns), types);
    }

    /** {@link ChunkMerger}'s type for an inferred column; null when numbers of different kinds make it text. */
    private ColumnType inferred(int c) {
        if (state[c] == TEXT) {
            return ChunkMerger.looksLikeText(levels.get(c)) ? ColumnType.TEXT : ColumnType.CATEGORICAL;
        }
        if (votes.present(c) == 0) {
            return ColumnType.CATEGORICAL; // all missing
        }
        return votes.type(c);
    }
}
