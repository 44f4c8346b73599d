package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Profiles a CSV file while the parallel reader parses it: each parsed chunk, in file order, adds its numbers' present
 * values to their column's {@link GrowingDoubles} and its text's distinct values to their column's counts, then gives its
 * arrays back to the reader for the chunks it parses next. Once the file is read, every column is profiled on every
 * core ({@link Profiler#numeric}, {@link Profiler#strings}).
 *
 * <p>The profile is exactly {@code Profiler.profile(DataReader.read(file))}'s: the same types (by {@link ChunkMerger}'s
 * rules), each numeric column's present values in row order, each text column's distinct values and counts, the same
 * SHA-256. What that whole read did on top (join the chunks into columns, then copy each column's present values to
 * sort them) held the file's numbers three times over, and the collector copied them as the heap grew.
 *
 * <p>A column that turns out textual (text in a later chunk, or numbers whose kinds mix across chunks) drops the
 * numbers it had, and the chunks that held them are parsed again, for that column only, as text ({@link
 * ParallelCsvReader#reparseAsText}): their values join the column's counts, as the whole read would have them. A file
 * this cannot profile gives null, and the caller reads it whole: a column of more values than an array holds, a chunk
 * that reads differently the second time, and any problem the reader reports (the whole read then throws the exact
 * error).
 */
final class CsvChunkProfiler implements Consumer<CsvChunk> {
    private static final int UNSEEN = 0;
    private static final int NUMBERS = 1;
    private static final int TEXT = 2;

    private int[] state;
    private GrowingDoubles[] numbers;
    /** Per column read as numbers, the spellings of its boolean words (a boolean column's profile is in its words). */
    private BooleanSpellings[] spellings;
    /** The file's rows as estimated from the chunks taken so far and their bytes. */
    private final RowEstimate estimate;
    private long chunkBytes;
    private List<Map<String, ChunkMerger.Level>> levels;
    /** Per column, the kinds of the values read as numbers, and the present values read as text. */
    private KindVotes votes;
    private long[] textPresent;
    private long rows;
    /** Each chunk taken, its rows let go (where it lies in the file, to parse it again), and which columns it read as numbers. */
    private final List<CsvChunk> chunks = new ArrayList<>();
    private final List<boolean[]> numbersIn = new ArrayList<>();
    /** Set when the file cannot be profiled this way (see the class comment): the caller reads it whole. */
    private boolean declined;

    private CsvChunkProfiler(RowEstimate estimate) {
        this.estimate = estimate;
    }

    /**
     * The profile of the CSV file {@code real} (a real path), or null when the parallel reader does not read it with the
     * default options, or it must be read whole (see the class comment).
     */
    static DatasetProfile profile(Path real) {
        ReadOptions options = DataReader.csvOptions(real, ReadOptions.defaults());
        if (!ParallelCsvReader.handles(options)) {
            return null;
        }
        CsvChunkProfiler profiler;
        CsvChunkReader.ParsedFile parsed;
        try {
            profiler = new CsvChunkProfiler(RowEstimate.of(real, Files.size(real)));
            parsed = ParallelCsvReader.readInOrderHashing(real, options, profiler);
        } catch (RuntimeException | IOException e) { // a Problem, or anything unexpected: the whole read names it
            ParallelCsvReader.rethrowError(e);
            return null;
        }
        return profiler.result(real.toString(), parsed); // a declined file threw above
    }

    /** Takes the next chunk in file order (the reader then reuses its arrays). */
    @Override
    public void accept(CsvChunk chunk) {
        ChunkColumn[] columns = chunk.columns();
        if (state == null) {
            start(columns.length);
        }
        rows += chunk.rows();
        chunkBytes += chunk.length();
        boolean[] numbersHere = new boolean[columns.length];
        chunks.add(new CsvChunk(chunk.file(), chunk.delimiter(), chunk.fileOffset(), chunk.length(), chunk.last(),
                chunk.rows(), null));
        numbersIn.add(numbersHere);
        for (int c = 0; c < columns.length && !declined; c++) {
            ChunkColumn column = columns[c];
            if (column.isText()) {
                addText(c, column.levels(), column.codes(), chunk.rows());
            } else if (column.present > 0) { // else only missing values: missing whatever the column turns out to be
                numbersHere[c] = true;
                addNumbers(c, column, chunk.rows());
            }
        }
        if (declined) { // stops the read: the rest of the file would be parsed for nothing
            throw new CsvChunkParser.Problem("declined: the file is read another way");
        }
    }

    private void start(int width) {
        state = new int[width];
        numbers = new GrowingDoubles[width];
        spellings = new BooleanSpellings[width];
        levels = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            levels.add(null);
        }
        votes = new KindVotes(width);
        textPresent = new long[width];
    }

    private void addNumbers(int c, ChunkColumn column, int n) {
        if (state[c] == TEXT) {
            return; // parsed again as text at the end
        }
        state[c] = NUMBERS;
        if (numbers[c] == null) {
            numbers[c] = new GrowingDoubles();
        }
        if (!numbers[c].addPresent(column.numbers(), n, expectedRows())) {
            declined = true;
            return;
        }
        votes.add(c, column);
        if (column.spellings != null) {
            if (spellings[c] == null) {
                spellings[c] = new BooleanSpellings();
            }
            spellings[c].addAll(column.spellings);
        }
    }

    private void addText(int c, ByteDictionary dictionary, int[] codes, int n) {
        long here = 0;
        for (int r = 0; r < n; r++) {
            if (codes[r] >= 0) {
                here++;
            }
        }
        if (here == 0) {
            return; // only missing values: missing whatever the column turns out to be
        }
        becomeText(c);
        String[] local = dictionary.strings();
        Map<String, ChunkMerger.Level> seen = levels.get(c);
        for (int code = 0; code < local.length; code++) {
            seen.computeIfAbsent(local[code], ChunkMerger.Level::new).count += dictionary.count(code);
        }
        textPresent[c] += here;
    }

    /** Column {@code c} is text: the numbers it had are dropped (their chunks are parsed again as text at the end). */
    private void becomeText(int c) {
        state[c] = TEXT;
        numbers[c] = null;
        if (levels.get(c) == null) {
            levels.set(c, new HashMap<>());
        }
    }

    /** The size a column's array is given, so that it is allocated once when the estimate holds. */
    private long expectedRows() {
        return estimate.rows(rows, chunkBytes);
    }

    private DatasetProfile result(String source, CsvChunkReader.ParsedFile parsed) {
        List<String> names = parsed.names();
        ColumnType[] forced = parsed.forced();
        int width = names.size();
        for (int c = 0; c < width; c++) {
            if (forced[c] == null && state[c] == NUMBERS && votes.type(c) == null) {
                becomeText(c); // number kinds mixed across chunks: text overall
            }
        }
        if (!reparseAsText(width)) {
            return null;
        }
        ColumnType[] types = new ColumnType[width];
        for (int c = 0; c < width; c++) {
            types[c] = forced[c] != null ? forced[c] : inferred(c);
            if (state[c] == (types[c].isNumericLike() ? TEXT : NUMBERS)) {
                return null; // a forced type the chunks were not parsed as (not expected: the whole read decides)
            }
        }
        ColumnProfile[] columns = new ColumnProfile[width];
        Profiler.eachOnEveryCore(width, (c, work) -> {
            if (types[c].isNumericLike()) {
                double[] values = numbers[c] != null ? numbers[c].array() : new double[0];
                int n = numbers[c] != null ? numbers[c].size() : 0;
                numbers[c] = null; // garbage once profiled
                BooleanWords words = spellings[c] != null ? spellings[c].words() : null;
                columns[c] = Profiler.numeric(names.get(c), types[c], words, values, n, rows - n, work.sort);
            } else {
                Map<String, ChunkMerger.Level> distinct = levels.get(c) != null ? levels.get(c) : Map.of();
                long here = textPresent[c];
                columns[c] = Profiler.strings(names.get(c), types[c], here, rows - here, distinct.size(),
                        Profiler.top(distinct.values(), level -> level.count, level -> level.value, here));
            }
        });
        return new DatasetProfile(source, parsed.sha256(), rows, List.of(columns));
    }

    /**
     * Parses again, as text, each chunk's columns that turned out textual after it read them as numbers, on every core,
     * and adds their values to the columns' counts; false when a chunk cannot be read again as it was.
     */
    private boolean reparseAsText(int width) {
        List<Integer> again = new ArrayList<>();
        for (int k = 0; k < chunks.size(); k++) {
            if (textual(numbersIn.get(k)) != null) {
                again.add(k);
            }
        }
        if (again.isEmpty()) {
            return true;
        }
        CsvChunk[] parsed = new CsvChunk[chunks.size()];
        try {
            again.parallelStream().forEach(k -> {
                CsvChunk at = chunks.get(k);
                CsvChunk chunk = new CsvChunk(at.file(), at.delimiter(), at.fileOffset(), at.length(), at.last(),
                        at.rows(), new ChunkColumn[width]);
                try {
                    ParallelCsvReader.reparseAsText(chunk, textual(numbersIn.get(k)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                parsed[k] = chunk;
            });
        } catch (RuntimeException e) { // the file changed, or cannot be read again: the whole read says what it is
            return false;
        }
        for (int k : again) {
            ChunkColumn[] columns = parsed[k].columns();
            for (int c = 0; c < width; c++) {
                if (columns[c] != null) {
                    addText(c, columns[c].levels(), columns[c].codes(), parsed[k].rows());
                }
            }
            parsed[k] = null;
        }
        return true;
    }

    /** Which of the columns a chunk read as numbers are textual now, or null when none is. */
    private boolean[] textual(boolean[] numbersHere) {
        boolean[] out = null;
        for (int c = 0; c < numbersHere.length; c++) {
            if (numbersHere[c] && state[c] == TEXT) {
                if (out == null) {
                    out = new boolean[numbersHere.length];
                }
                out[c] = true;
            }
        }
        return out;
    }

    /** {@link ChunkMerger}'s type for an inferred column. */
    private ColumnType inferred(int c) {
        if (state[c] == TEXT) {
            return ChunkMerger.looksLikeText(levels.get(c)) ? ColumnType.TEXT : ColumnType.CATEGORICAL;
        }
        if (state[c] == UNSEEN) {
            return ColumnType.CATEGORICAL; // all missing
        }
        return votes.type(c);
    }
}
