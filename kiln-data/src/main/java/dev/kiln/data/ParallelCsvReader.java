package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.schema.ColumnType;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a CSV file in parallel straight into typed columns, with exactly the result of the sequential path
 * ({@link CsvReader#read} then {@link SchemaInference#columns}): the same names, columns and SHA-256 of the bytes.
 *
 * <p>The calling thread reads the file in blocks, feeds each block to the SHA-256 and to a
 * {@link CsvBoundaryScanner}, and hands chunks of whole records to a pool of one thread per processor (at most a few
 * chunks per thread in flight, so memory stays bounded), where a {@link CsvChunkParser} parses each into
 * {@link ChunkColumn}s: numbers by FastDoubleParser, text as dictionary codes. {@link ChunkMerger} then joins the
 * chunks in file order, typing each column by SchemaInference's rule over all its values; chunks that parsed a column
 * as numbers when it turned out textual are read again from the file for it. The delimiter is sniffed as the
 * sequential reader sniffs it (by {@link CsvParser} and {@link DelimiterSniffer} on the same decoded prefix).
 *
 * <p>Errors: on ANY problem (an empty file, a header without rows, a duplicate header name, a wrong field count, an
 * unterminated quote, a character after a closing quote, bytes that are not UTF-8, a value that does not fit a forced
 * type, a forced type for a missing column, anything unexpected) the file is read again by the sequential path, which
 * throws the exact error (code, message, details naming file, line and column). If that path does not throw, the
 * disagreement is a bug here: {@link ErrorCode#INTERNAL}. Not handled at all ({@link #handles}): a forced non-ASCII
 * delimiter and untrimmed columns, which stay on the sequential path.
 */
final class ParallelCsvReader {
    /** The default read block: a few MiB keeps every processor busy and the chunks in flight small. */
    static final int DEFAULT_BLOCK_SIZE = 4 << 20;
    /** Enough bytes to hold the 65536 chars {@link CsvParser} reads ahead for sniffing (at most 3 bytes per char). */
    private static final int SNIFF_BYTES = 4 * 65536 + 16;
    private static final int CHUNKS_PER_THREAD = 3;

    /** Tests set a tiny block so chunk boundaries fall everywhere. */
    static volatile int blockSize = DEFAULT_BLOCK_SIZE;

    record Result(List<String> names, List<DataColumn> columns, String sha256) {
    }

    private ParallelCsvReader() {
    }

    /** Whether this reader reads files with these options; otherwise the sequential path must. */
    static boolean handles(ReadOptions options) {
        return (options.delimiter() == null || options.delimiter() < 0x80) && !options.otherColumnsUntrimmed();
    }

    static Result read(Path file, ReadOptions options) {
        ReadOptions effective = effective(file, options);
        if (!handles(effective)) {
            throw new KilnException(ErrorCode.INTERNAL, "the parallel CSV reader does not handle these options");
        }
        String problem;
        try {
            return new ParallelCsvReader.Run(file, effective, blockSize).read();
        } catch (CsvChunkParser.Problem e) {
            problem = e.getMessage();
        } catch (IOException e) {
            throw DataReader.ioFailure(file, e);
        } catch (RuntimeException e) {
            problem = "unexpected " + e;
        }
        sequential(file, effective); // throws the exact error
        throw new KilnException(ErrorCode.INTERNAL, "reading " + file + ": the parallel CSV reader found a problem ("
                + problem + ") that the sequential reader did not", Map.of("file", file.toString()));
    }

    /** .tsv means tab-separated unless a delimiter is set (as {@link DataReader} reads it). */
    private static ReadOptions effective(Path file, ReadOptions options) {
        return options.delimiter() == null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")
                ? options.withDelimiter('\t') : options;
    }

    /** How many chunks a read of {@code file} with blocks of {@code block} bytes parses (for tests of the knob). */
    static int chunkCount(Path file, ReadOptions options, int block) throws IOException {
        Run run = new Run(file, effective(file, options), block);
        run.read();
        return run.chunkCount;
    }

    /** The sequential path, as {@link DataReader} takes it; used here for its exact errors. */
    static Result sequential(Path file, ReadOptions options) {
        options = effective(file, options);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DigestInputStream digesting = new DigestInputStream(in, Checksums.digest());
            RawTable table = CsvReader.read(digesting, file.toString(), options.delimiter());
            List<DataColumn> columns = SchemaInference.columns(table, options);
            return new Result(table.names(), columns, HexFormat.of().formatHex(digesting.getMessageDigest().digest()));
        } catch (IOException e) {
            throw DataReader.ioFailure(file, e);
        }
    }

    /** One read of one file. */
    private static final class Run {
        private final Path file;
        private final ReadOptions options;
        private final int block;
        private final int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private final AtomicBoolean failed = new AtomicBoolean();
        private int chunkCount;

        Run(Path file, ReadOptions options, int block) {
            this.file = file;
            this.options = options;
            this.block = Math.max(1, block);
        }

        Result read() throws IOException {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "kiln-csv");
                t.setDaemon(true);
                return t;
            });
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return read(channel, pool);
            } finally {
                pool.shutdownNow();
            }
        }

        private Result read(FileChannel channel, ExecutorService pool) throws IOException {
            long size = channel.size();
            if (size == 0) {
                throw new CsvChunkParser.Problem("empty file");
            }
            char delimiter = options.delimiter() != null ? options.delimiter() : sniff(channel, size);
            MessageDigest digest = Checksums.digest();
            Semaphore inFlight = new Semaphore(threads * CHUNKS_PER_THREAD);
            List<Future<CsvChunk>> futures = new ArrayList<>();
            List<String> names = null;
            ColumnType[] forced = null;
            byte[] buf = new byte[block];
            int length = 0;
            long bufOffset = 0;
            long read = 0;
            int dataStart = hasBom(channel, size) ? 3 : 0;
            boolean eof = false;
            CsvBoundaryScanner scanner = new CsvBoundaryScanner(delimiter, dataStart);
            while (!eof && !failed.get()) {
                if (buf.length - length < block) {
                    buf = java.util.Arrays.copyOf(buf, length + block);
                }
                int n = fill(channel, buf, length, block);
                digest.update(buf, length, n);
                length += n;
                read += n;
                eof = n < block || read >= size;
                scanner.scan(buf, length, eof);
                int cut = eof ? length : scanner.lastCut();
                if (names == null && cut > dataStart) {
                    CsvChunkParser.Header header = CsvChunkParser.header(buf, dataStart, cut, eof, delimiter);
                    if (header == null) {
                        if (eof) {
                            throw new CsvChunkParser.Problem("no header");
                        }
                        continue;
                    }
                    if (!Utf8Check.isValid(buf, dataStart, header.end())) {
                        throw new CsvChunkParser.Problem("header bytes are not UTF-8");
                    }
                    names = names(header.fields());
                    forced = forcedTypes(names);
                    dataStart = header.end();
                }
                if (names != null && cut > dataStart) {
                    inFlight.acquireUninterruptibly();
                    futures.add(pool.submit(parseTask(buf, dataStart, cut, eof, bufOffset, delimiter, forced,
                            inFlight)));
                    byte[] next = new byte[Math.max(block, length - cut) + block];
                    System.arraycopy(buf, cut, next, 0, length - cut);
                    scanner.shift(cut);
                    buf = next;
                    length -= cut;
                    bufOffset += cut;
                    dataStart = 0;
                }
            }
            List<CsvChunk> chunks = collect(futures);
            chunkCount = chunks.size();
            if (names == null || chunks.stream().mapToInt(CsvChunk::rows).sum() == 0) {
                throw new CsvChunkParser.Problem("no data rows");
            }
            String sha256 = HexFormat.of().formatHex(digest.digest());
            ChunkMerger merger = new ChunkMerger(names, forced, chunks);
            reparseText(channel, pool, merger, chunks, delimiter);
            return new Result(names, merger.columns(), sha256);
        }

        private java.util.concurrent.Callable<CsvChunk> parseTask(byte[] buf, int from, int to, boolean last,
                                                                   long bufOffset, char delimiter,
                                                                   ColumnType[] forced, Semaphore inFlight) {
            return () -> {
                try {
                    if (failed.get()) {
                        throw new CsvChunkParser.Problem("an earlier chunk failed");
                    }
                    if (!ByteScan.isAscii(buf, from, to) && !Utf8Check.isValid(buf, from, to)) {
                        throw new CsvChunkParser.Problem("bytes that are not UTF-8");
                    }
                    int capacity = CsvChunkParser.capacity(buf, from, to);
                    ChunkColumn[] columns = new ChunkColumn[forced.length];
                    for (int c = 0; c < columns.length; c++) {
                        columns[c] = ChunkColumn.of(forced[c], capacity);
                    }
                    int rows = CsvChunkParser.parse(buf, from, to, last, delimiter, columns);
                    return new CsvChunk(bufOffset + from, to - from, last, rows, columns);
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                } finally {
                    inFlight.release();
                }
            };
        }

        /** Parses again, as text, the chunks where a textual column was read as numbers (in parallel). */
        private void reparseText(FileChannel channel, ExecutorService pool, ChunkMerger merger, List<CsvChunk> chunks,
                                 char delimiter) throws IOException {
            List<Future<?>> futures = new ArrayList<>();
            Semaphore inFlight = new Semaphore(threads * CHUNKS_PER_THREAD);
            for (int k = 0; k < chunks.size(); k++) {
                boolean[] text = merger.textColumns(k);
                if (text == null) {
                    continue;
                }
                CsvChunk chunk = chunks.get(k);
                inFlight.acquireUninterruptibly();
                byte[] bytes = new byte[chunk.length()];
                readAt(channel, chunk.fileOffset(), bytes);
                futures.add(pool.submit(() -> {
                  try {
                    int capacity = CsvChunkParser.capacity(bytes, 0, bytes.length);
                    ChunkColumn[] columns = new ChunkColumn[text.length];
                    for (int c = 0; c < columns.length; c++) {
                        columns[c] = text[c] ? ChunkColumn.text(capacity) : ChunkColumn.skipped();
                    }
                    int rows = CsvChunkParser.parse(bytes, 0, bytes.length, chunk.last(), delimiter, columns);
                    if (rows != chunk.rows()) {
                        throw new IllegalStateException("the file changed while it was read");
                    }
                    for (int c = 0; c < columns.length; c++) {
                        if (text[c]) {
                            chunk.columns()[c] = columns[c];
                        }
                    }
                  } finally {
                    inFlight.release();
                  }
                }));
            }
            collect(futures);
        }

        private static <T> List<T> collect(List<? extends Future<? extends T>> futures) {
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

        /** The header names as {@link CsvReader} makes them: blank ones become column_N; a duplicate is a problem. */
        private static List<String> names(List<String> fields) {
            List<String> names = new ArrayList<>(fields.size());
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                String name = fields.get(i).isBlank() ? "column_" + (i + 1) : fields.get(i);
                if (seen.putIfAbsent(name, i) != null) {
                    throw new CsvChunkParser.Problem("duplicate column name");
                }
                names.add(name);
            }
            return names;
        }

        /** Per column, its forced type (options.types, else otherColumns) or null to infer it. */
        private ColumnType[] forcedTypes(List<String> names) {
            for (String name : options.types().keySet()) {
                if (!names.contains(name)) {
                    throw new CsvChunkParser.Problem("a type is set for a missing column");
                }
            }
            ColumnType[] out = new ColumnType[names.size()];
            for (int c = 0; c < out.length; c++) {
                out[c] = options.types().getOrDefault(names.get(c), options.otherColumns());
            }
            return out;
        }

        /** The delimiter the sequential reader would sniff: same parser, same decoded prefix. */
        private static char sniff(FileChannel channel, long size) throws IOException {
            byte[] prefix = new byte[(int) Math.min(size, SNIFF_BYTES)];
            readAt(channel, 0, prefix);
            CsvParser parser = new CsvParser(new Utf8Source(new ByteArrayInputStream(prefix)));
            return DelimiterSniffer.sniff(parser.prefix(), parser.prefixIsWholeInput());
        }

        /** Whether the file starts with a UTF-8 byte order mark, which {@link CsvParser} skips. */
        private static boolean hasBom(FileChannel channel, long size) throws IOException {
            if (size < 3) {
                return false;
            }
            byte[] first = new byte[3];
            readAt(channel, 0, first);
            return first[0] == (byte) 0xEF && first[1] == (byte) 0xBB && first[2] == (byte) 0xBF;
        }

        /** Reads up to {@code n} bytes at the channel's position; fewer only at the end of the file. */
        private static int fill(FileChannel channel, byte[] buf, int at, int n) throws IOException {
            ByteBuffer target = ByteBuffer.wrap(buf, at, n);
            while (target.hasRemaining()) {
                if (channel.read(target) < 0) {
                    break;
                }
            }
            return n - target.remaining();
        }

        private static void readAt(FileChannel channel, long position, byte[] into) throws IOException {
            ByteBuffer target = ByteBuffer.wrap(into);
            while (target.hasRemaining()) {
                if (channel.read(target, position + target.position()) < 0) {
                    throw new IOException("the file ended early (it changed while it was read)");
                }
            }
        }
    }
}
