package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.schema.ColumnType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Reads CSV files in parallel straight into typed columns, with exactly the result of the sequential path
 * ({@link CsvReader#read} then {@link SchemaInference#columns}): the same names, columns and SHA-256 of the bytes.
 *
 * <p>{@link CsvChunkReader} cuts a file into chunks of whole records while it hashes it, and a pool of one thread per
 * processor parses them into {@link ChunkColumn}s: numbers by Clinger's fast path or FastDoubleParser, text as
 * dictionary codes. {@link ChunkMerger} then joins the chunks in file order, typing each column by SchemaInference's
 * rule over all its values; chunks that parsed a column as numbers when it turned out textual are read again from
 * the file for it. The delimiter is sniffed as the sequential reader sniffs it (by {@link CsvParser} and
 * {@link DelimiterSniffer} on the same decoded prefix). Several files ({@link #readAll}) are joined the same way,
 * typed once over all their rows, as {@link DataReader#readAll} types them.
 *
 * <p>Errors: on ANY problem (an empty file, a header without rows, a duplicate header name, a wrong field count, an
 * unterminated quote, a character after a closing quote, bytes that are not UTF-8, a value that does not fit a forced
 * type, a forced type for a missing column, files with different columns, anything unexpected) the data is read
 * again by the sequential path, which throws the exact error (code, message, details naming file, line and column).
 * If that path does not throw, the disagreement is a bug here: {@link ErrorCode#INTERNAL}. Not handled at all
 * ({@link #handles}): a forced non-ASCII delimiter, which stays on the sequential path. Columns read untrimmed
 * ({@link ReadOptions#otherColumnsUntrimmed}) keep an unquoted value's surrounding whitespace, as the sequential
 * reader's {@code rawStart} gives it.
 */
final class ParallelCsvReader {
    /** The default read block: a few MiB keeps every processor busy and the chunks in flight small. */
    static final int DEFAULT_BLOCK_SIZE = 4 << 20;

    /** Tests set a tiny block so chunk boundaries fall everywhere. */
    static volatile int blockSize = DEFAULT_BLOCK_SIZE;

    record Result(List<String> names, List<DataColumn> columns, String sha256) {
    }

    /** Several files read as one: the columns (in the first file's order) and each file's SHA-256, in order. */
    record Combined(List<String> names, List<DataColumn> columns, List<String> sha256s) {
    }

    private ParallelCsvReader() {
    }

    /** Whether this reader reads files with these options; otherwise the sequential path must. */
    static boolean handles(ReadOptions options) {
        return options.delimiter() == null || options.delimiter() < 0x80;
    }

    /** .tsv means tab-separated unless a delimiter is set (as {@link DataReader} reads it). */
    static ReadOptions effective(Path file, ReadOptions options) {
        return options.delimiter() == null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")
                ? options.withDelimiter('\t') : options;
    }

    static Result read(Path file, ReadOptions options) {
        ReadOptions effective = effective(file, options);
        requireHandled(effective);
        String problem;
        try {
            Combined combined = parallel(List.of(file), options, blockSize);
            return new Result(combined.names(), combined.columns(), combined.sha256s().get(0));
        } catch (CsvChunkParser.Problem e) {
            problem = e.getMessage();
        } catch (IOException e) {
            throw DataReader.ioFailure(file, e);
        } catch (RuntimeException e) {
            problem = "unexpected " + e;
        }
        sequential(file, effective); // throws the exact error
        throw disagreement(file.toString(), problem);
    }

    /**
     * Several CSV files as one dataset, or null when the sequential path must read them: it then throws the exact
     * error (the caller must turn its not throwing into {@link #disagreement}).
     */
    static Combined readAll(List<Path> files, ReadOptions options) {
        for (Path file : files) {
            requireHandled(effective(file, options));
        }
        try {
            return parallel(files, options, blockSize);
        } catch (RuntimeException | IOException e) { // a Problem, or anything unexpected
            return null;
        }
    }

    /**
     * Throws the {@link Error} in {@code e}'s causes, if any: out of memory on a pool thread, which the CLI words, where
     * reading the file again another way (what a caller does on any other failure) would not help.
     */
    static void rethrowError(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof Error error) {
                throw error;
            }
        }
    }

    /** The parallel reader saw a problem in {@code source} that the sequential reader did not: a bug here. */
    static KilnException disagreement(String source, String problem) {
        return new KilnException(ErrorCode.INTERNAL, "reading " + source + ": the parallel CSV reader found a problem ("
                + problem + ") that the sequential reader did not", Map.of("file", source));
    }

    private static void requireHandled(ReadOptions options) {
        if (!handles(options)) {
            throw new KilnException(ErrorCode.INTERNAL, "the parallel CSV reader does not handle these options");
        }
    }

    /**
     * Parses one file and hands each chunk to {@code inOrder} in file order as soon as the chunks before it are in
     * ({@link CsvChunkReader#read(Path, ReadOptions, int, ExecutorService, int, java.util.function.Consumer)}), without
     * joining them into columns or hashing the file. Throws a {@link CsvChunkParser.Problem} on anything the
     * sequential reader would report (which the caller must then let it report).
     */
    static CsvChunkReader.ParsedFile readInOrder(Path file, ReadOptions options,
                                                 java.util.function.Consumer<CsvChunk> inOrder) throws IOException {
        return readInOrder(file, options, null, inOrder);
    }

    /** As above, giving {@code onHeader} the header's names and forced types before any chunk is handed over. */
    static CsvChunkReader.ParsedFile readInOrder(Path file, ReadOptions options,
                                                 java.util.function.BiConsumer<List<String>, ColumnType[]> onHeader,
                                                 java.util.function.Consumer<CsvChunk> inOrder) throws IOException {
        return inOrder(file, effective(file, options).withoutChecksum(), onHeader, inOrder);
    }

    /** As {@link #readInOrder(Path, ReadOptions, java.util.function.Consumer)}, hashing the file as it is read. */
    static CsvChunkReader.ParsedFile readInOrderHashing(Path file, ReadOptions options,
                                                        java.util.function.Consumer<CsvChunk> inOrder)
            throws IOException {
        return inOrder(file, effective(file, options), null, inOrder);
    }

    private static CsvChunkReader.ParsedFile inOrder(Path file, ReadOptions effective,
                                                     java.util.function.BiConsumer<List<String>, ColumnType[]> onHeader,
                                                     java.util.function.Consumer<CsvChunk> inOrder) throws IOException {
        requireHandled(effective);
        ExecutorService pool = pool();
        try {
            return CsvChunkReader.read(file, effective, blockSize, pool, threads(), onHeader, inOrder);
        } finally {
            pool.shutdownNow();
        }
    }

    /** How many chunks a read of {@code file} with blocks of {@code block} bytes parses (for tests of the knob). */
    static int chunkCount(Path file, ReadOptions options, int block) throws IOException {
        ExecutorService pool = pool();
        try {
            return CsvChunkReader.read(file, effective(file, options), block, pool, threads()).chunks().size();
        } finally {
            pool.shutdownNow();
        }
    }

    /** The sequential path, as {@link DataReader} takes it; used here for its exact errors. */
    static Result sequential(Path file, ReadOptions options) {
        options = effective(file, options);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DigestInputStream digesting = new DigestInputStream(in, Checksums.digest());
            RawTable table = CsvReader.read(digesting, file.toString(), options.delimiter(), DataReader.untrimmed(options));
            List<DataColumn> columns = SchemaInference.columns(table, options);
            return new Result(table.names(), columns, HexFormat.of().formatHex(digesting.getMessageDigest().digest()));
        } catch (IOException e) {
            throw DataReader.ioFailure(file, e);
        }
    }

    /**
     * About the most memory a read by chunks holds at once, whatever the file's length: the chunks in flight, each its
     * bytes, its parsed columns (up to twice the bytes: eight bytes a number of a few characters) and a spare.
     */
    static long inFlightBytes() {
        return (long) threads() * CsvChunkReader.CHUNKS_PER_THREAD * blockSize * 4;
    }

    private static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    private static ExecutorService pool() {
        return Executors.newFixedThreadPool(threads(), r -> {
            Thread t = new Thread(r, "kiln-csv");
            t.setDaemon(true);
            return t;
        });
    }

    private static Combined parallel(List<Path> files, ReadOptions options, int block) throws IOException {
        ExecutorService pool = pool();
        try {
            List<CsvChunk> chunks = new ArrayList<>();
            List<String> sha256s = new ArrayList<>(files.size());
            CsvChunkReader.ParsedFile first = null;
            for (Path file : files) {
                CsvChunkReader.ParsedFile parsed = CsvChunkReader.read(file, effective(file, options), block, pool,
                        threads());
                sha256s.add(parsed.sha256());
                if (first == null) {
                    first = parsed;
                    chunks.addAll(parsed.chunks());
                } else {
                    int[] order = order(first.names(), parsed.names());
                    for (CsvChunk chunk : parsed.chunks()) {
                        chunks.add(chunk.reorder(order));
                    }
                }
            }
            ChunkMerger merger = new ChunkMerger(first.names(), first.forced(), options.labelColumns(), chunks);
            reparseText(pool, merger, chunks);
            return new Combined(first.names(), merger.columns(), sha256s);
        } finally {
            pool.shutdownNow();
        }
    }

    /** For each of the first file's columns, its index in {@code names}; a different set of columns is a problem. */
    private static int[] order(List<String> first, List<String> names) {
        if (first.size() != names.size()) {
            throw new CsvChunkParser.Problem("the files have different columns");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        int[] order = new int[first.size()];
        for (int c = 0; c < order.length; c++) {
            Integer at = index.get(first.get(c));
            if (at == null) {
                throw new CsvChunkParser.Problem("the files have different columns");
            }
            order[c] = at;
        }
        return order;
    }

    /** Parses again, as text, the chunks where a textual column was read as numbers (in parallel). */
    private static void reparseText(ExecutorService pool, ChunkMerger merger, List<CsvChunk> chunks)
            throws IOException {
        List<Future<?>> futures = new ArrayList<>();
        Semaphore inFlight = new Semaphore(threads() * CsvChunkReader.CHUNKS_PER_THREAD);
        for (int k = 0; k < chunks.size(); k++) {
            boolean[] text = merger.textColumns(k);
            if (text == null) {
                continue;
            }
            CsvChunk chunk = chunks.get(k);
            inFlight.acquireUninterruptibly();
            byte[] bytes = new byte[chunk.length()];
            try (FileChannel channel = FileChannel.open(chunk.file(), StandardOpenOption.READ)) {
                CsvChunkReader.readAt(channel, chunk.fileOffset(), bytes);
            }
            futures.add(pool.submit(() -> {
                try {
                    reparse(chunk, bytes, text);
                } finally {
                    inFlight.release();
                }
            }));
        }
        collect(futures);
    }

    /**
     * Parses {@code chunk}'s bytes again, from its file, with the columns {@code text} names as text, into the chunk's
     * columns (its others left as they are); an {@link IllegalStateException} when its rows come out different.
     */
    static void reparseAsText(CsvChunk chunk, boolean[] text) throws IOException {
        byte[] bytes = new byte[chunk.length()];
        try (FileChannel channel = FileChannel.open(chunk.file(), StandardOpenOption.READ)) {
            CsvChunkReader.readAt(channel, chunk.fileOffset(), bytes);
        }
        reparse(chunk, bytes, text);
    }

    private static void reparse(CsvChunk chunk, byte[] bytes, boolean[] text) {
        int capacity = CsvChunkParser.capacity(bytes, 0, bytes.length);
        ChunkColumn[] columns = new ChunkColumn[text.length];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = text[c] ? ChunkColumn.text(capacity) : ChunkColumn.skipped();
        }
        // The chunk's columns may be reordered (several files): parse in file order, then place by the same order.
        int[] fileOrder = positions(chunk);
        ChunkColumn[] inFileOrder = new ChunkColumn[columns.length];
        for (int c = 0; c < columns.length; c++) {
            inFileOrder[fileOrder[c]] = columns[c];
        }
        int rows = CsvChunkParser.parse(bytes, 0, bytes.length, chunk.last(), chunk.delimiter(), inFileOrder);
        if (rows != chunk.rows()) {
            throw new IllegalStateException("the file changed while it was read");
        }
        for (int c = 0; c < columns.length; c++) {
            if (text[c]) {
                chunk.columns()[c] = columns[c];
            }
        }
    }

    /** Where each of the chunk's columns sits in its file's records. */
    private static int[] positions(CsvChunk chunk) {
        return chunk.order() == null ? identity(chunk.columns().length) : chunk.order();
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        Arrays.setAll(out, i -> i);
        return out;
    }

    static <T> List<T> collect(List<? extends Future<? extends T>> futures) {
        List<T> out = new ArrayList<>(futures.size());
        for (Future<? extends T> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CsvChunkParser.Problem("interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new CsvChunkParser.Problem("unexpected " + e.getCause());
            }
        }
        return out;
    }
}
