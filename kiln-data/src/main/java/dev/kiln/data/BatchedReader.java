package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a data file a batch of rows at a time, for work that never needs more than a batch (`kiln predict` scores and
 * writes each batch, then lets it go): memory stays flat in the file's rows, where {@link DataReader#read} holds them
 * all (a 10-million-row file took several GB to score).
 *
 * <p>Every column's type must be given ({@link ReadOptions#otherColumns} for the columns {@link ReadOptions#types}
 * does not name), so that no batch's type depends on another's: each batch is then exactly the rows of
 * {@link DataReader#read}'s frame, typed by the same {@link SchemaInference} conversion, and a value that does not fit
 * names the file, column and line (CSV) or row (Parquet, JSON lines) as the whole read names it. The difference is
 * when: a problem in a late row is found after the earlier batches were handed over, and when several values do not
 * fit, the one reported is the first of its batch rather than the first of its column. Frames carry no SHA-256.
 *
 * <p>CSV is parsed on every core ({@link ParallelCsvReader#readInOrder}, a batch per chunk, cut to the batch size), or by
 * the sequential reader ({@link CsvReader#stream}) for what the parallel reader leaves to it and for the exact error
 * of a problem; Parquet and JSON lines stream through DuckDB
 * ({@code jdbc_stream_results}), fetched typed from its data chunks ({@link DuckDbBatches}), or as text where a column's
 * type is not one the chunks are fetched as. A directory, or any other path {@link DataReader#read} takes, is read
 * whole and handed over as one batch.
 */
public final class BatchedReader {
    private BatchedReader() {
    }

    /**
     * Hands the rows of {@code path} to {@code batches} in file order, a frame of up to {@code size} rows at a time;
     * returns the number of rows. {@code options} must type every column ({@link ReadOptions#otherColumns} set).
     */
    public static long read(Path path, ReadOptions options, BatchSize size, Consumer<DataFrame> batches) {
        if (options.otherColumns() == null) {
            throw new KilnException(ErrorCode.INTERNAL, "a batched read needs every column's type (ReadOptions.otherColumns)");
        }
        ReadOptions o = options.withoutChecksum();
        Path real = DataReader.real(path);
        if (!Files.isDirectory(real) && DataReader.isDelimitedText(real)) {
            return csv(real, DataReader.csvOptions(real, o), size, batches);
        }
        DuckDbReader.Format format = Files.isDirectory(real) ? null : DataReader.duckDbFormat(real);
        if (format != null) {
            return duckDb(real, format, o, size, batches);
        }
        DataFrame whole = DataReader.read(path, o);
        batches.accept(whole);
        return whole.rowCount();
    }

    /**
     * A CSV file parsed on every core ({@link ParallelCsvReader#readInOrder}): each chunk, once every chunk before it is
     * in, becomes a batch (cut to {@code size}) typed as the whole read types those rows, since every column's type is
     * given. On any problem the sequential reader reads the file: from the start, handing the batches over, when none
     * was handed over yet; else only to throw its exact error (the file, line and column), after the batches already
     * handed over (rows before the problem, as the sequential read would have handed over rows before it).
     */
    private static long csv(Path file, ReadOptions options, BatchSize size, Consumer<DataFrame> batches) {
        if (!ParallelCsvReader.handles(options)) {
            return sequentialCsv(file, options, size, batches);
        }
        ParallelBatches parallel = new ParallelBatches(file, options, size, batches);
        String problem;
        try {
            ParallelCsvReader.readInOrder(file, options, parallel::header, parallel);
            return parallel.rows;
        } catch (RuntimeException | IOException e) { // a Problem, the consumer's own failure, or anything unexpected
            if (parallel.consumerFailure != null) {
                throw parallel.consumerFailure; // the caller's (e.g. a closed ReadAhead): not the file's
            }
            problem = String.valueOf(e.getMessage());
        }
        if (parallel.rows == 0) {
            return sequentialCsv(file, options, size, batches);
        }
        sequentialCsv(file, options, size, frame -> { }); // throws the exact error
        throw ParallelCsvReader.disagreement(file.toString(), problem);
    }

    /** Turns the parallel reader's chunks, in file order, into batches. */
    private static final class ParallelBatches implements Consumer<CsvChunk> {
        private final String source;
        private final ReadOptions options;
        private final BatchSize size;
        private final Consumer<DataFrame> batches;
        private List<String> names;
        private ColumnType[] types;
        /** Rows handed over so far. */
        long rows;
        /** What the consumer of the batches threw, rethrown as it is. */
        RuntimeException consumerFailure;

        ParallelBatches(Path file, ReadOptions options, BatchSize size, Consumer<DataFrame> batches) {
            this.source = file.toString();
            this.options = options;
            this.size = size;
            this.batches = batches;
        }

        /** The header's names, and the types the reader parses the chunks with (every column's is given). */
        void header(List<String> names, ColumnType[] types) {
            this.names = names;
            this.types = types;
        }

        @Override
        public void accept(CsvChunk chunk) {
            if (chunk.rows() == 0) {
                return;
            }
            List<DataColumn> columns = new ChunkMerger(names, types, options.labelColumns(), List.of(chunk)).columns();
            int perBatch = size.rowsFor(names.size());
            for (int from = 0; from < chunk.rows(); from += perBatch) {
                int to = Math.min(chunk.rows(), from + perBatch);
                DataFrame batch = new DataFrame(from == 0 && to == chunk.rows() ? columns : rows(columns, from, to), source, null);
                try {
                    batches.accept(batch);
                } catch (RuntimeException e) {
                    consumerFailure = e;
                    throw e;
                }
                rows += to - from;
            }
        }

        private static List<DataColumn> rows(List<DataColumn> columns, int from, int to) {
            int[] rows = new int[to - from];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            List<DataColumn> out = new ArrayList<>(columns.size());
            for (DataColumn c : columns) {
                out.add(c.select(rows));
            }
            return out;
        }
    }

    private static long sequentialCsv(Path file, ReadOptions options, BatchSize size, Consumer<DataFrame> batches) {
        String source = file.toString();
        CsvReader.Rows rows = new CsvReader.Rows(source, DataReader.untrimmed(options));
        int[] perBatch = {0};
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long total = CsvReader.stream(in, source, options.delimiter(), new CsvReader.RowSink() {
                @Override
                public void header(List<String> names) {
                    rows.header(names);
                    perBatch[0] = size.rowsFor(names.size());
                }

                @Override
                public void row(CsvParser parser, int line) {
                    rows.row(parser, line);
                    if (rows.size() == perBatch[0]) {
                        batches.accept(typed(rows.take(), options));
                    }
                }
            });
            if (rows.size() > 0) {
                batches.accept(typed(rows.take(), options));
            }
            return total;
        } catch (IOException e) {
            throw DataReader.ioFailure(file, e);
        }
    }

    private static long duckDb(Path file, DuckDbReader.Format format, ReadOptions options, BatchSize batchSize,
                               Consumer<DataFrame> batches) {
        if (DataReader.size(file) == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " is empty", Map.of("file", file.toString()));
        }
        long typed = DuckDbBatches.read(file, format, options, batchSize, batches);
        if (typed >= 0) {
            return typed;
        }
        // A type the chunks are not fetched as (or an error DuckDB words on this route): every value as text.
        String source = file.toString();
        long total = DuckDbReader.query(file, format, "*", true, (rs, names) -> {
            int perBatch = batchSize.rowsFor(names.size());
            long row = 0;
            List<RawColumn> columns = fresh(names.size());
            int[] positions = new int[Math.min(perBatch, 1 << 16)];
            int size = 0;
            boolean[] json = JsonCells.columns(rs);
            while (rs.next()) {
                for (int c = 1; c <= names.size(); c++) {
                    // null -> empty text -> missing, as DuckDbReader.read
                    columns.get(c - 1).add(JsonCells.string(rs, c, json[c - 1]));
                }
                if (size == positions.length) {
                    positions = Arrays.copyOf(positions, Math.min(perBatch, size * 2));
                }
                positions[size++] = (int) Math.min(Integer.MAX_VALUE, ++row); // positions are ints, as CSV lines are
                if (size == perBatch) {
                    batches.accept(typed(new RawTable(source, names, columns, positions, "row"), options));
                    columns = fresh(names.size());
                    positions = new int[positions.length];
                    size = 0;
                }
            }
            if (size > 0) {
                batches.accept(typed(new RawTable(source, names, columns, Arrays.copyOf(positions, size), "row"), options));
            }
            return row;
        });
        if (total == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + file + " has no data rows", Map.of("file", source));
        }
        return total;
    }

    private static List<RawColumn> fresh(int width) {
        List<RawColumn> columns = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            columns.add(new RawColumn());
        }
        return columns;
    }

    private static DataFrame typed(RawTable rows, ReadOptions options) {
        return new DataFrame(SchemaInference.columns(rows, options), rows.source(), null);
    }
}
