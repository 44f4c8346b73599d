package dev.kiln.data;

import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads one CSV file into parsed chunks, not yet joined. The calling thread reads the file in blocks, feeds each to
 * the SHA-256 and to a {@link CsvBoundaryScanner}, parses the header itself and hands chunks of whole records to the
 * pool (at most {@value #CHUNKS_PER_THREAD} per thread in flight, so memory stays bounded), where a
 * {@link CsvChunkParser} parses each. Any problem is a {@link CsvChunkParser.Problem}.
 */
final class CsvChunkReader {
    /** Enough bytes to hold the 65536 chars {@link CsvParser} reads ahead for sniffing (3 bytes per char at most). */
    private static final int SNIFF_BYTES = 4 * 65536 + 16;
    static final int CHUNKS_PER_THREAD = 3;

    /** A file read into chunks: its delimiter, header names, forced types per column, chunks and SHA-256 (null unless asked). */
    record ParsedFile(Path file, char delimiter, List<String> names, ColumnType[] forced, List<CsvChunk> chunks,
                      String sha256) {
    }

    private final Path file;
    private final ReadOptions options;
    private final int block;
    private final ExecutorService pool;
    private final int threads;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Queue<byte[]> spare = new ConcurrentLinkedQueue<>();
    /** Given each parsed chunk in file order as soon as the chunks before it are in, or null. */
    private Consumer<CsvChunk> inOrder;
    /** Given the header's names and each column's forced type (null: inferred) before any chunk is parsed, or null. */
    private BiConsumer<List<String>, ColumnType[]> onHeader;
    /** Parsed chunks not yet handed over, by index; the next to hand over; who is handing over (see {@link #handOver}). */
    private final Map<Integer, CsvChunk> parsedChunks = new ConcurrentHashMap<>();
    private volatile int handedOver;
    private final ReentrantLock handingOver = new ReentrantLock();
    private final Queue<double[]> spareNumbers = new ConcurrentLinkedQueue<>();
    /** Per column, whether it keeps its values' surrounding whitespace (set with the header, before any chunk). */
    private volatile boolean[] keepsSpace;

    private CsvChunkReader(Path file, ReadOptions options, int block, ExecutorService pool, int threads) {
        this.file = file;
        this.options = options;
        this.block = Math.max(1, block);
        this.pool = pool;
        this.threads = threads;
    }

    /** {@code options} as they apply to this file (a .tsv's TAB already set). */
    static ParsedFile read(Path file, ReadOptions options, int block, ExecutorService pool, int threads)
            throws IOException {
        return read(file, options, block, pool, threads, null);
    }

    /**
     * With {@code inOrder}: each chunk is handed to it, in file order, as soon as it and every chunk before it are
     * parsed, by one pool thread at a time ({@link #handOver}); it must not keep the chunk's arrays, which are reused
     * for the chunks parsed next, and the returned chunks hold no rows (their counts stay). Every chunk has been handed
     * over when this returns.
     */
    static ParsedFile read(Path file, ReadOptions options, int block, ExecutorService pool, int threads,
                           Consumer<CsvChunk> inOrder) throws IOException {
        return read(file, options, block, pool, threads, null, inOrder);
    }

    /**
     * As above, giving {@code onHeader} the header's names and each column's forced type first (on the reading thread,
     * before any chunk is parsed; the chunks are parsed with those types).
     */
    static ParsedFile read(Path file, ReadOptions options, int block, ExecutorService pool, int threads,
                           BiConsumer<List<String>, ColumnType[]> onHeader, Consumer<CsvChunk> inOrder)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            CsvChunkReader reader = new CsvChunkReader(file, options, block, pool, threads);
            reader.inOrder = inOrder;
            reader.onHeader = onHeader;
            return reader.read(channel);
        }
    }

    private ParsedFile read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            throw new CsvChunkParser.Problem("empty file");
        }
        char delimiter = options.delimiter() != null ? options.delimiter() : sniff(channel, size);
        MessageDigest digest = options.checksum() ? Checksums.digest() : null;
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
                buf = Arrays.copyOf(buf, length + block);
            }
            int n = fill(channel, buf, length, block);
            if (digest != null) {
                digest.update(buf, length, n);
            }
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
                keepsSpace = new boolean[names.size()];
                for (int c = 0; c < keepsSpace.length; c++) {
                    keepsSpace[c] = DataReader.untrimmed(options).test(names.get(c));
                }
                if (onHeader != null) {
                    onHeader.accept(names, forced.clone());
                }
                dataStart = header.end();
            }
            if (names != null && cut > dataStart) {
                inFlight.acquireUninterruptibly();
                futures.add(pool.submit(parseTask(futures.size(), buf, dataStart, cut, eof, bufOffset, delimiter, forced,
                        inFlight)));
                byte[] next = length - cut <= block ? buffer() : new byte[length - cut + block];
                System.arraycopy(buf, cut, next, 0, length - cut);
                scanner.shift(cut);
                buf = next;
                length -= cut;
                bufOffset += cut;
                dataStart = 0;
            }
        }
        List<CsvChunk> chunks = ParallelCsvReader.collect(futures);
        if (inOrder != null && handedOver != chunks.size()) {
            throw new IllegalStateException("handed over " + handedOver + " of " + chunks.size() + " chunks");
        }
        if (names == null || chunks.stream().mapToInt(CsvChunk::rows).sum() == 0) {
            throw new CsvChunkParser.Problem("no data rows");
        }
        return new ParsedFile(file, delimiter, names, forced, chunks,
                digest == null ? null : HexFormat.of().formatHex(digest.digest()));
    }

    /**
     * Hands the parsed chunks over, in file order, as long as the next one is parsed; only one thread at a time does
     * (the others go back to parsing), so the consumer needs no locking of its own. A chunk's slot in flight is freed
     * when it is handed over, which bounds the chunks parsed and waiting. The check after unlocking catches a chunk
     * parsed while the lock was held by a thread that had already looked for it.
     */
    private void handOver(Semaphore inFlight) {
        while (handingOver.tryLock()) {
            try {
                CsvChunk next;
                while ((next = parsedChunks.remove(handedOver)) != null) {
                    inOrder.accept(next);
                    recycle(next);
                    handedOver++;
                    inFlight.release();
                }
            } finally {
                handingOver.unlock();
            }
            if (!parsedChunks.containsKey(handedOver)) {
                return;
            }
        }
    }

    /** A chunk handed over: its number arrays go to the next chunks parsed, and the chunk lets go of its rows. */
    private void recycle(CsvChunk chunk) {
        for (ChunkColumn column : chunk.columns()) {
            if (column.numbers() != null) {
                spareNumbers.offer(column.numbers());
            }
            column.release();
        }
    }

    /**
     * A number array for a chunk's column: one a handed-over chunk gave back when it is long enough (the allocation of
     * a chunk's columns is then paid once per chunk in flight, not once per chunk), else a new one.
     */
    private double[] numberArray(int capacity) {
        double[] spare = spareNumbers.poll();
        return spare != null && spare.length >= capacity ? spare : new double[capacity];
    }

    private Callable<CsvChunk> parseTask(int index, byte[] buf, int from, int to, boolean last, long bufOffset,
                                         char delimiter, ColumnType[] forced, Semaphore inFlight) {
        return () -> {
            boolean parsed = false;
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
                    columns[c] = keepsSpace[c] ? ChunkColumn.untrimmedText(capacity)
                            : inOrder == null ? ChunkColumn.of(forced[c], capacity)
                            : ChunkColumn.of(forced[c], capacity, this::numberArray);
                }
                int rows = CsvChunkParser.parse(buf, from, to, last, delimiter, columns);
                CsvChunk chunk = new CsvChunk(file, delimiter, bufOffset + from, to - from, last, rows, columns);
                parsed = true;
                if (buf.length == 2 * block) {
                    spare.offer(buf);
                }
                if (inOrder != null) {
                    parsedChunks.put(index, chunk);
                    handOver(inFlight);
                }
                return chunk;
            } catch (RuntimeException | Error e) {
                if (failed.compareAndSet(false, true) && inOrder != null) {
                    // Chunks after this one are never handed over, so their slots are never freed: free enough for
                    // the reading thread to get past its wait and see the failure.
                    inFlight.release(threads * CHUNKS_PER_THREAD);
                }
                throw e;
            } finally {
                if (!parsed && buf.length == 2 * block) {
                    spare.offer(buf);
                }
                if (inOrder == null || !parsed) {
                    inFlight.release();
                }
            }
        };
    }

    /** A buffer of two blocks (a block plus the cut-off end of the last one), reused once its chunk is parsed. */
    private byte[] buffer() {
        byte[] reused = spare.poll();
        return reused != null ? reused : new byte[2 * block];
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

    /** Reads {@code into.length} bytes at {@code position}. */
    static void readAt(FileChannel channel, long position, byte[] into) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(into);
        while (target.hasRemaining()) {
            if (channel.read(target, position + target.position()) < 0) {
                throw new IOException("the file ended early (it changed while it was read)");
            }
        }
    }
}
