package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads delimited text into a {@link RawTable}, turning every problem into a {@link KilnException}
 * that names the source, the line and, where known, the column. The first non-blank record is the
 * header. Empty header names become {@code column_N} (N = 1-based position), since a blank first
 * header cell is common in exports that wrote an index column; duplicate names are an error because
 * any renaming would silently change which column a user means.
 */
final class CsvReader {
    private CsvReader() {
    }

    static RawTable read(InputStream in, String source, Character forcedDelimiter) {
        return read(in, source, forcedDelimiter, name -> false);
    }

    /** As above; the columns {@code untrimmed} names keep an unquoted value's surrounding whitespace. */
    static RawTable read(InputStream in, String source, Character forcedDelimiter, Predicate<String> untrimmed) {
        Rows rows = new Rows(source, untrimmed);
        stream(in, source, forcedDelimiter, rows);
        return rows.take();
    }

    /**
     * Collects the records it is given as a {@link RawTable}, each row with the line it starts on; {@link #take} hands
     * over the rows collected so far and starts afresh, so a caller can take a file a batch of rows at a time.
     */
    static final class Rows implements RowSink {
        private final String source;
        private final Predicate<String> untrimmed;
        private List<String> names;
        private boolean[] raw;
        private List<RawColumn> columns;
        private int[] lines = new int[1024];
        private int size;

        /** The columns {@code untrimmed} names keep an unquoted value's surrounding whitespace. */
        Rows(String source, Predicate<String> untrimmed) {
            this.source = source;
            this.untrimmed = untrimmed;
        }

        @Override
        public void header(List<String> names) {
            this.names = names;
            raw = new boolean[names.size()];
            for (int i = 0; i < names.size(); i++) {
                raw[i] = untrimmed.test(names.get(i));
            }
            columns = freshColumns();
        }

        @Override
        public void row(CsvParser parser, int line) {
            char[] chars = parser.chars();
            for (int i = 0; i < raw.length; i++) {
                if (raw[i]) {
                    columns.get(i).add(chars, parser.rawStart(i), parser.rawLength(i));
                } else {
                    columns.get(i).add(chars, parser.start(i), parser.length(i));
                }
            }
            if (size == lines.length) {
                lines = Arrays.copyOf(lines, size * 2);
            }
            lines[size++] = line;
        }

        /** How many rows are collected and not yet taken. */
        int size() {
            return size;
        }

        /** The rows collected since the last take, positioned by the lines they start on. */
        RawTable take() {
            RawTable table = new RawTable(source, names, columns, Arrays.copyOf(lines, size), "line");
            columns = freshColumns();
            size = 0;
            return table;
        }

        private List<RawColumn> freshColumns() {
            List<RawColumn> fresh = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                fresh.add(new RawColumn());
            }
            return fresh;
        }
    }

    /** Receives the records of a CSV stream one at a time (see {@link #stream}). */
    interface RowSink {
        /** Called once, before any row, with the header names (as {@link #read} names them). */
        void header(List<String> names);

        /**
         * Called per data record; the parser holds exactly {@code names.size()} fields
         * ({@link CsvParser#chars()}, {@link CsvParser#start}, {@link CsvParser#length}), valid until the
         * call returns. {@code line} is the 1-based line where the record starts.
         */
        void row(CsvParser parser, int line);
    }

    /**
     * Streams delimited text to {@code sink} without holding the rows ({@link #read} collects them): the
     * header rules, the field-count check and the line-exact errors. Returns the number of data rows; a file
     * without data rows is {@link ErrorCode#DATA_EMPTY}.
     */
    static long stream(InputStream in, String source, Character forcedDelimiter, RowSink sink) {
        CsvParser parser = null;
        List<String> names = List.of();
        try {
            parser = new CsvParser(new Utf8Source(in));
            char delimiter = forcedDelimiter != null ? forcedDelimiter
                    : DelimiterSniffer.sniff(parser.prefix(), parser.prefixIsWholeInput());
            parser.delimiter(delimiter);
            if (!parser.nextRecord()) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + source + " is empty",
                        Map.of("file", source));
            }
            names = header(parser, source);
            sink.header(names);
            int width = names.size();
            long rows = 0;
            while (parser.nextRecord()) {
                if (parser.fieldCount() != width) {
                    throw new KilnException(ErrorCode.DATA_MALFORMED,
                            source + " line " + parser.recordLine() + ": expected " + width + " fields, found "
                                    + parser.fieldCount(),
                            Map.of("file", source, "line", parser.recordLine(), "expected", width,
                                    "found", parser.fieldCount()));
                }
                sink.row(parser, parser.recordLine());
                rows++;
            }
            if (rows == 0) {
                throw new KilnException(ErrorCode.DATA_EMPTY, "file " + source + " has a header but no data rows",
                        Map.of("file", source));
            }
            return rows;
        } catch (Utf8Source.BadBytes e) {
            int line = parser == null ? 1 : parser.line();
            String column = parser == null ? null : columnName(names, parser.fieldCount());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("file", source);
            details.put("line", line);
            if (column != null) {
                details.put("column", column);
            }
            details.put("byteOffset", e.byteOffset);
            throw new KilnException(ErrorCode.DATA_ENCODING,
                    source + " line " + line + (column == null ? "" : ", column '" + column + "'")
                            + ": bytes " + e.hex + " (byte offset " + e.byteOffset
                            + ") are not valid UTF-8; save the file as UTF-8", details, e);
        } catch (CsvParser.SyntaxError e) {
            String column = columnName(names, e.field);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("file", source);
            details.put("line", e.line);
            if (column != null) {
                details.put("column", column);
            }
            throw new KilnException(ErrorCode.DATA_MALFORMED,
                    source + " line " + e.line + (column == null ? "" : ", column '" + column + "'") + ": "
                            + e.getMessage(), details);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot read " + source + ": " + e.getMessage(),
                    Map.of("file", source), e);
        }
    }

    private static List<String> header(CsvParser parser, String source) {
        int n = parser.fieldCount();
        List<String> names = new ArrayList<>(n);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String name = parser.field(i);
            if (name.isBlank()) {
                name = "column_" + (i + 1);
            }
            Integer earlier = seen.putIfAbsent(name, i + 1);
            if (earlier != null) {
                throw new KilnException(ErrorCode.DATA_MALFORMED,
                        source + " line " + parser.recordLine() + ": duplicate column name '" + name + "' (columns "
                                + earlier + " and " + (i + 1) + ")",
                        Map.of("file", source, "line", parser.recordLine(), "column", name));
            }
            names.add(name);
        }
        return names;
    }

    /** The header name of field {@code index}, or a positional name beyond the header (or before it). */
    private static String columnName(List<String> names, int index) {
        if (names.isEmpty()) {
            return null;
        }
        return index < names.size() ? names.get(index) : "field " + (index + 1);
    }
}
