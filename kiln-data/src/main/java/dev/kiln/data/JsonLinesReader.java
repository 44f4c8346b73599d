package dev.kiln.data;

import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a JSON-lines file of the plain shape ({@link JsonLineParser}: flat objects, keys in any order and optional) on
 * every core, into exactly the columns {@link DuckDbReader#readTyped} makes of it through DuckDB, or declines (null) so
 * that DuckDB reads it. DuckDB parses JSON on several threads too, but hands a million rows of 21 columns over JDBC a
 * call per cell, and its chunk API streams them on one thread; on that file, in process, that took 1.7-2.6 s where this
 * takes 0.9-1.3 s (bench/speed has the commands' figures).
 *
 * <p>The columns are DuckDB's because they are typed as {@code read_json_auto} types them and then built by the same
 * {@link TypedColumn}s: a column is BIGINT when the first {@value #SAMPLE_ROWS} rows (DuckDB's default
 * {@code sample_size}; Kiln has DuckDB type from every row, which gives the same types wherever this does not decline)
 * hold only integers, DOUBLE when they hold a number with a fraction or an exponent, BOOLEAN for true and false,
 * VARCHAR for strings. Where a later row disagrees with the sample, or DuckDB would do something else, this declines,
 * and DuckDB, which types from every row ({@link DuckDbReader#scan}), reads the file: a column with no value in the
 * sample, a number with a fraction after an integer sample, a string column whose sample might all be dates, times or
 * UUIDs (DuckDB detects those), two kinds of value in one column (DuckDB's JSON type), and whatever
 * {@link JsonLineParser} declines. {@code JsonLinesReaderPropertiesTest} checks the columns against DuckDB's on random
 * files.
 */
final class JsonLinesReader {
    /** How many rows this types a column from ({@code read_json_auto}'s default {@code sample_size}). */
    static final int SAMPLE_ROWS = 20_480;
    static final int DEFAULT_BLOCK_SIZE = 4 << 20;
    /** Tests set a tiny block so chunk boundaries fall everywhere. */
    static volatile int blockSize = DEFAULT_BLOCK_SIZE;
    private static final int CHUNKS_PER_THREAD = 2;
    /**
     * DuckDB refuses an object over its {@code maximum_object_size} (16 MiB): a line still without its end after this
     * many bytes is left to DuckDB, so the lines read here are at most this plus a block (12 MiB), which also bounds
     * the bytes a chunk holds.
     */
    static final int MAX_LINE = 8 << 20;

    private JsonLinesReader() {
    }

    /**
     * About the most memory a read holds at once besides what its sink keeps, whatever the file's length: the chunks
     * in flight, each its bytes, its parsed values (up to twice the bytes) and a spare block.
     */
    static long inFlightBytes() {
        return (long) Math.max(1, Runtime.getRuntime().availableProcessors()) * CHUNKS_PER_THREAD * blockSize * 4;
    }

    /**
     * The file's columns as {@link DuckDbReader#readTyped} makes them with these arguments, or null when DuckDB must
     * read it (not of the plain shape, typed differently by DuckDB, unreadable: DuckDB then words the error).
     */
    static List<DataColumn> readTyped(Path file, ReadOptions options, Set<String> named) {
        return read(file, new Columns(file, options, named));
    }

    /**
     * Where the chunks go once typed: {@link #start} gets the names and DuckDB's types (or declines), {@link #add} each
     * chunk in file order (its columns may be let go), {@link #result} the row count at the end.
     */
    interface Sink<T> {
        void start(List<String> names, String[] sqlTypes);

        void add(JsonLineParser.Chunk chunk);

        T result(long rows);
    }

    /** The file parsed on every core, typed, and handed to {@code sink} chunk by chunk; null when it declines. */
    static <T> T read(Path file, Sink<T> sink) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kiln-json");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, sink, pool, threads);
        } catch (JsonLineParser.Decline | IOException e) {
            return null;
        } catch (KilnException e) {
            throw e; // a value that does not fit the type the options give a column: the error of DuckDB's route too
        } catch (RuntimeException e) {
            return null; // unexpected here: DuckDB's route, which this only speeds up, reads the file
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T read(FileChannel channel, Sink<T> sink, ExecutorService pool, int threads) throws IOException {
        long size = channel.size();
        long position = 0;
        byte[] carry = new byte[0];
        Typing<T> typing = null;
        Deque<Future<JsonLineParser.Chunk>> inFlight = new ArrayDeque<>();
        Queue<byte[]> spare = new ConcurrentLinkedQueue<>();
        while (position < size || carry.length > 0) {
            int want = (int) Math.min(blockSize, size - position);
            byte[] buffer = spare.poll();
            if (buffer == null || buffer.length < carry.length + want) {
                buffer = new byte[carry.length + want];
            }
            System.arraycopy(carry, 0, buffer, 0, carry.length);
            int read = fill(channel, buffer, carry.length, want, position);
            position += read;
            boolean last = position >= size || read < want;
            int length = carry.length + read;
            int cut = last ? length : lastLineBreak(buffer, length) + 1;
            if (cut == 0) {
                if (length > MAX_LINE) {
                    throw new JsonLineParser.Decline("a line longer than DuckDB's maximum_object_size");
                }
                carry = Arrays.copyOf(buffer, length); // no line ends in this block: read on
                continue;
            }
            if (typing == null) {
                List<String> keys = firstKeys(buffer, cut);
                if (keys == null) {
                    carry = Arrays.copyOfRange(buffer, cut, length); // only blank lines so far: no rows, read on
                    if (last) {
                        break;
                    }
                    continue;
                }
                typing = new Typing<>(keys, sink);
            }
            List<String> firstKeys = typing.firstKeys;
            byte[] chunk = buffer;
            int end = cut;
            inFlight.add(pool.submit(() -> {
                JsonLineParser.Chunk parsed = JsonLineParser.parse(chunk, 0, end, firstKeys);
                spare.offer(chunk); // nothing parsed refers to the bytes: the next block may reuse them
                return parsed;
            }));
            carry = Arrays.copyOfRange(buffer, cut, length);
            while (inFlight.size() >= threads * CHUNKS_PER_THREAD) {
                typing.accept(next(inFlight));
            }
            if (last) {
                break;
            }
        }
        if (typing == null) {
            throw new JsonLineParser.Decline("an empty file");
        }
        while (!inFlight.isEmpty()) {
            typing.accept(next(inFlight));
        }
        return typing.result();
    }

    /**
     * The keys of the first line that is not blank in {@code a[0, cut)} (DuckDB skips blank lines, the first included);
     * null when every line there is blank.
     */
    private static List<String> firstKeys(byte[] a, int cut) {
        int from = 0;
        while (from < cut) {
            int end = ByteScan.indexOf(a, from, cut, (byte) '\n');
            end = end < 0 ? cut : end;
            if (JsonLineParser.blank(a, from, end)) {
                from = end + 1;
                continue;
            }
            return JsonLineParser.keys(a, from, end);
        }
        return null;
    }

    private static JsonLineParser.Chunk next(Deque<Future<JsonLineParser.Chunk>> inFlight) {
        try {
            return inFlight.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JsonLineParser.Decline("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new JsonLineParser.Decline("unexpected " + e.getCause());
        }
    }

    /**
     * Names and types the columns from the chunks that hold the sample, then hands the chunks to the sink in file order,
     * each with its columns in the file's order and checked against the types first.
     */
    private static final class Typing<T> {
        /** The first line's keys, which every chunk's parser starts from. */
        final List<String> firstKeys;
        /**
         * The file's columns: the first line's keys, then those later lines added, in the order DuckDB gives them (as
         * they first appear); fixed once the sample is typed.
         */
        private final List<String> names;
        private final Set<String> known = new HashSet<>();
        private final Set<String> folded = new HashSet<>();
        private Map<String, Integer> columnOf;
        private final Sink<T> sink;
        private List<JsonLineParser.Chunk> pending = new ArrayList<>();
        private long pendingRows;
        private int[] families;
        private String[] sqlTypes;
        private long rows;

        Typing(List<String> firstKeys, Sink<T> sink) {
            this.firstKeys = List.copyOf(firstKeys);
            this.names = new ArrayList<>(firstKeys);
            known.addAll(firstKeys);
            for (String name : firstKeys) {
                folded.add(name.toLowerCase(Locale.ROOT));
            }
            this.sink = sink;
        }

        void accept(JsonLineParser.Chunk chunk) {
            if (sqlTypes != null) {
                add(aligned(chunk));
                return;
            }
            // A chunk's own keys come after the first line's, in the order its lines first gave them; chunks come in
            // file order, so appending the ones not seen yet keeps the order of first appearance.
            for (int c = firstKeys.size(); c < chunk.names().size(); c++) {
                String name = chunk.names().get(c);
                if (known.add(name)) {
                    if (!folded.add(name.toLowerCase(Locale.ROOT))) {
                        throw new JsonLineParser.Decline("two keys equal but for case");
                    }
                    names.add(name);
                }
            }
            pending.add(chunk);
            pendingRows += chunk.rows();
            if (pendingRows >= SAMPLE_ROWS) {
                decide();
            }
        }

        T result() {
            if (sqlTypes == null) {
                decide();
            }
            if (rows == 0) {
                throw new JsonLineParser.Decline("no rows");
            }
            return sink.result(rows);
        }

        /**
         * The chunk with a column per name of the file, in its order: an empty one (null on every row) for a key the
         * chunk never gave; a Decline for a key first given after the sample, since the sink has its columns.
         */
        private JsonLineParser.Chunk aligned(JsonLineParser.Chunk chunk) {
            if (chunk.names().equals(names)) {
                return chunk;
            }
            JsonLineParser.Column[] columns = new JsonLineParser.Column[names.size()];
            for (int c = 0; c < chunk.names().size(); c++) {
                Integer at = columnOf.get(chunk.names().get(c));
                if (at == null) {
                    throw new JsonLineParser.Decline("a key first given after DuckDB's sample");
                }
                columns[at] = chunk.columns()[c];
            }
            for (int c = 0; c < columns.length; c++) {
                if (columns[c] == null) {
                    columns[c] = new JsonLineParser.Column();
                }
            }
            return new JsonLineParser.Chunk(chunk.rows(), names, columns, chunk.bytes());
        }

        /** Each column's type from what the sample rows held, as DuckDB's detection gives it. */
        private void decide() {
            columnOf = new HashMap<>();
            for (int c = 0; c < names.size(); c++) {
                columnOf.put(names.get(c), c);
            }
            pending.replaceAll(this::aligned);
            int width = names.size();
            families = new int[width];
            sqlTypes = new String[width];
            for (int c = 0; c < width; c++) {
                long offset = 0;
                int family = JsonLineParser.NONE;
                boolean doubles = false;
                boolean plainText = false;
                for (JsonLineParser.Chunk chunk : pending) {
                    JsonLineParser.Column column = chunk.columns()[c];
                    if (column.firstValue >= 0 && offset + column.firstValue < SAMPLE_ROWS && family == JsonLineParser.NONE) {
                        family = column.family;
                    }
                    doubles |= column.firstDouble >= 0 && offset + column.firstDouble < SAMPLE_ROWS;
                    plainText |= column.firstPlainText >= 0 && offset + column.firstPlainText < SAMPLE_ROWS;
                    offset += chunk.rows();
                }
                families[c] = family;
                sqlTypes[c] = switch (family) {
                    case JsonLineParser.NUMBER -> doubles ? "DOUBLE" : "BIGINT";
                    case JsonLineParser.BOOLEAN -> "BOOLEAN";
                    case JsonLineParser.STRING -> {
                        if (!plainText) {
                            throw new JsonLineParser.Decline("strings DuckDB may read as dates, times or UUIDs");
                        }
                        yield "VARCHAR";
                    }
                    default -> throw new JsonLineParser.Decline("a column with no value in DuckDB's sample");
                };
            }
            sink.start(names, sqlTypes);
            List<JsonLineParser.Chunk> sample = pending;
            pending = null;
            for (JsonLineParser.Chunk chunk : sample) {
                add(chunk);
            }
        }

        private void add(JsonLineParser.Chunk chunk) {
            for (int c = 0; c < families.length; c++) {
                JsonLineParser.Column column = chunk.columns()[c];
                if (column.family != JsonLineParser.NONE && column.family != families[c]) {
                    throw new JsonLineParser.Decline("a column holding values of two kinds");
                }
                if (column.firstDouble >= 0 && sqlTypes[c].equals("BIGINT")) {
                    throw new JsonLineParser.Decline("a fraction after DuckDB's sample of integers");
                }
            }
            sink.add(chunk);
            rows += chunk.rows();
        }
    }

    /**
     * The columns {@link DuckDbReader#readTyped} makes. A column fetched as text (strings, labels, "other columns") is
     * built by its {@link TypedColumn}; a column of numbers or booleans is exactly the chunks' values joined (NaN for
     * null, integers and booleans as their doubles: what {@link TypedColumn} stores for them; it fits its type, since
     * every such value does and its sample holds one), so those are only copied once, at the end.
     */
    private static final class Columns implements Sink<List<DataColumn>> {
        private final Path file;
        private final ReadOptions options;
        private final Set<String> named;
        private List<String> names;
        private String[] sqlTypes;
        private TypedColumn[] text;
        private List<List<double[]>> values;
        private final List<Integer> rowsPerChunk = new ArrayList<>();

        Columns(Path file, ReadOptions options, Set<String> named) {
            this.file = file;
            this.options = options;
            this.named = named;
        }

        @Override
        public void start(List<String> names, String[] sqlTypes) {
            this.names = names;
            this.sqlTypes = sqlTypes;
            text = new TypedColumn[names.size()];
            values = new ArrayList<>(names.size());
            for (int c = 0; c < names.size(); c++) {
                TypedColumn typed = TypedColumn.forColumn(names.get(c), sqlTypes[c], options, named);
                text[c] = typed.fetchesText() ? typed : null;
                values.add(typed.fetchesText() ? null : new ArrayList<>());
            }
        }

        @Override
        public void add(JsonLineParser.Chunk chunk) {
            for (int c = 0; c < sqlTypes.length; c++) {
                JsonLineParser.Column column = chunk.columns()[c];
                if (text[c] != null) {
                    text[c].add(column.values, column.texts, chunk.rows(), sqlTypes[c]);
                } else {
                    values.get(c).add(column.values); // null: only nulls in this chunk
                }
                chunk.columns()[c] = null; // let go as soon as added
            }
            rowsPerChunk.add(chunk.rows());
        }

        @Override
        public List<DataColumn> result(long rows) {
            List<DataColumn> out = new ArrayList<>(names.size());
            for (int c = 0; c < names.size(); c++) {
                if (text[c] != null) {
                    out.add(text[c].column(names.get(c), file.toString(), options));
                    text[c] = null;
                    continue;
                }
                double[] joined = new double[Math.toIntExact(rows)];
                int at = 0;
                List<double[]> chunks = values.get(c);
                for (int k = 0; k < chunks.size(); k++) {
                    int n = rowsPerChunk.get(k);
                    if (chunks.get(k) == null) {
                        Arrays.fill(joined, at, at + n, Double.NaN);
                    } else {
                        System.arraycopy(chunks.get(k), 0, joined, at, n);
                    }
                    at += n;
                }
                values.set(c, null);
                out.add(new NumericColumn(names.get(c), TypedColumn.typeWhenItFits(sqlTypes[c]), joined));
            }
            return out;
        }
    }

    private static int lastLineBreak(byte[] a, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int fill(FileChannel channel, byte[] into, int at, int n, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, at, n);
        int total = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }
}
