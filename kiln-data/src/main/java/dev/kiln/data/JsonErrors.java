package dev.kiln.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a JSON or JSON-lines file first breaks JSON's grammar, for the error that names it. DuckDB's "Malformed JSON
 * in file F, at byte B in line N" does not count lines: its N is the number of values read before the broken one plus
 * two, so it names the line after the broken one, and an earlier line still when blank lines come before. Jackson reads
 * the file again (on the error's path only) as the same grammar DuckDB's reader takes, trailing commas and NaN
 * included, and its line and column are the ones to open.
 */
final class JsonErrors {
    /**
     * The place of the first error: its 1-based line, its 1-based column in bytes (Jackson's: at the fault or just after
     * it), and what is wrong there.
     */
    record Location(long line, long column, String reason) {
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static final Pattern DUCKDB_LINE = Pattern.compile("Malformed JSON.* in line (\\d+)");
    private static final Pattern DUCKDB_VALUE = Pattern.compile("(JSON transform error in file .*, in line )(\\d+)(:)");

    /** DuckDB's deepest nesting ("JSON exceeds maximum recursion depth of 128"). */
    private static final int MAX_DEPTH = 128;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA) // DuckDB's reader takes both
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE).maxNumberLength(Integer.MAX_VALUE).build())
            .build();

    private JsonErrors() {
    }

    /** Whether DuckDB's message is about the file's JSON itself (its grammar or its depth), which Jackson can place. */
    static boolean isSyntaxError(String duckDbMessage) {
        return duckDbMessage != null && (duckDbMessage.contains("Malformed JSON")
                || duckDbMessage.contains("maximum recursion depth"));
    }

    /**
     * The first place where {@code file} is not JSON: with {@code linePerValue} (JSON lines), where a non-blank line is
     * not exactly one JSON value; else where the file is not a sequence of JSON values (a JSON document may span lines).
     * Null when there is none, or the file cannot be read.
     */
    static Location firstError(Path file, boolean linePerValue) {
        return firstError(file, linePerValue, 0);
    }

    /**
     * The same, for a JSON-lines file whose first {@code valuesBefore} non-blank lines need not be parsed: what DuckDB's
     * count says (its line less two). Where that finds nothing (a count that meant something else), every line is.
     */
    static Location firstError(Path file, boolean linePerValue, long valuesBefore) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.mark(BOM.length);
            if (Arrays.equals(in.readNBytes(BOM.length), BOM)) {
                return new Location(1, 1, "the file starts with a byte order mark (BOM), which DuckDB's JSON reader"
                        + " does not take: save it as UTF-8 without one");
            }
            in.reset();
            if (linePerValue) {
                Location at = firstErrorByLine(in, valuesBefore);
                return at != null || valuesBefore == 0 ? at : firstError(file, true, 0);
            }
            try (JsonParser parser = FACTORY.createParser(in)) {
                return firstError(parser, false);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Each line on its own: a value cut short at its line's end is an error there, not on the next line. */
    private static Location firstErrorByLine(InputStream in, long skipValues) throws IOException {
        long[] values = {0};
        return eachLine(in, (number, buffer, from, to) -> {
            if (blank(buffer, from, to) || values[0]++ < skipValues) {
                return null;
            }
            Location at;
            try (JsonParser parser = FACTORY.createParser(buffer, from, to - from)) {
                at = firstError(parser, true);
            }
            return at == null ? null : new Location(number, at.column(), at.reason());
        });
    }

    /** What {@link #eachLine} asks of each line: a result to stop at, or null to go on. */
    private interface LineVisitor<T> {
        T line(long number, byte[] buffer, int from, int to) throws IOException;
    }

    /** Gives {@code visitor} each line of {@code in} (1-based number, without its LF) until it answers; null if never. */
    private static <T> T eachLine(InputStream in, LineVisitor<T> visitor) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int start = 0;
        int filled = 0;
        long number = 0;
        boolean end = false;
        while (true) {
            int newline = ByteScan.indexOf(buffer, start, filled, (byte) '\n');
            if (newline < 0 && !end) {
                System.arraycopy(buffer, start, buffer, 0, filled - start); // the line so far to the front
                filled -= start;
                start = 0;
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2); // a line longer than the buffer
                }
                int read = in.read(buffer, filled, buffer.length - filled);
                end = read < 0;
                filled += Math.max(read, 0);
                continue;
            }
            int lineEnd = newline < 0 ? filled : newline;
            if (newline < 0 && start == lineEnd) {
                return null; // the file ended with a line break
            }
            T answer = visitor.line(++number, buffer, start, lineEnd);
            if (answer != null || newline < 0) {
                return answer;
            }
            start = newline + 1;
        }
    }

    private static boolean blank(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * DuckDB's "JSON transform error in file F, in line N: ..." (a duplicate key, a value its type cannot take) with
     * the line of the N-th value instead, and that line; null when the message is not one. DuckDB's N counts values
     * from one, so it is the line only where no blank line comes before.
     */
    static Located transformErrorOnItsLine(Path file, String duckDbMessage) {
        Matcher m = DUCKDB_VALUE.matcher(duckDbMessage == null ? "" : duckDbMessage);
        if (!m.find()) {
            return null;
        }
        long line;
        try {
            line = lineOfValue(file, Long.parseLong(m.group(2)));
        } catch (IOException | RuntimeException e) { // a line number past a long, an unreadable file
            return null;
        }
        if (line < 0) {
            return null;
        }
        return new Located(duckDbMessage.substring(0, m.start(2)) + line + duckDbMessage.substring(m.end(2)), line);
    }

    /** DuckDB's message with the right line, and that line. */
    record Located(String message, long line) {
    }

    /** The line of the {@code n}-th non-blank line (1-based), or -1 when the file has fewer. */
    static long lineOfValue(Path file, long n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long[] values = {0};
            Long line = eachLine(in, (number, buffer, from, to) ->
                    !blank(buffer, from, to) && ++values[0] == n ? number : null);
            return line == null ? -1 : line;
        }
    }

    /** The values DuckDB's "Malformed JSON ... in line N" says came before the broken one (N - 2), or 0. */
    static long valuesBefore(String duckDbMessage) {
        Matcher m = DUCKDB_LINE.matcher(duckDbMessage == null ? "" : duckDbMessage);
        if (!m.find()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(m.group(1)) - 2);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The first error of the parser's JSON; with {@code oneValue}, also a second value. */
    private static Location firstError(JsonParser parser, boolean oneValue) throws IOException {
        try {
            int depth = 0;
            boolean oneValueRead = false;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (oneValueRead && oneValue) {
                    JsonLocation at = parser.currentTokenLocation();
                    return new Location(at.getLineNr(), at.getColumnNr(), "more than one JSON value on the line");
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                } else if (token == JsonToken.VALUE_STRING) {
                    parser.getText(); // decodes the string: its UTF-8 and control characters are checked then
                }
                oneValueRead = depth == 0;
            }
            return null;
        } catch (JsonProcessingException e) {
            // A limit's error (the depth) carries no location of its own: the parser's is where it stopped.
            JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
            return new Location(at.getLineNr(), at.getColumnNr(), reason(e.getOriginalMessage()));
        }
    }

    /** Jackson's message: its first line, without what it says of its own options and of where an object began. */
    static String reason(String message) {
        if (message == null) {
            return "not JSON";
        }
        String first = message.lines().findFirst().orElse("not JSON")
                .replaceAll(", from `[^`]*`\\)", ")"); // "(128, from `StreamReadConstraints...`)" -> "(128)"
        for (String tail : new String[] {": enable `", " (start marker at", " (for ", " (JSON String, Number",
            " (StreamReadConstraints", " (by `"}) {
            int at = first.indexOf(tail);
            if (at > 0) {
                first = first.substring(0, at);
            }
        }
        return first;
    }
}
