package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link JsonLinesReader} gives exactly the columns DuckDB's read gives ({@link DuckDbReader#readTypedByJdbc}: the
 * route it replaces) or declines, on random JSON-lines files: integers, decimals in every JSON form, numbers outside
 * JSON's grammar or a double's range, strings with escapes and unicode, strings DuckDB reads as dates, times or UUIDs,
 * booleans, nulls, columns of two kinds or no value, white space, CRLF, broken lines, with labels, "other columns" and
 * forced names, parsed in tiny blocks so chunk boundaries fall everywhere. Files made only of what it reads must not
 * be declined, so the comparison cannot pass by declining everything.
 */
class JsonLinesReaderPropertiesTest {
    private static final String[] KEYS = {"a", "b", "x0", "label", "with space", "Zeit é", "日付", "id"};
    /** Keys that only lines after the first give. */
    private static final String[] LATE_KEYS = {"late", "später", "x1"};
    private static final String[] INTEGERS = {"0", "-0", "7", "-13", "42", "123456789", "-987654321012",
        "9007199254740992", "-9007199254740992"};
    private static final String[] TOO_BIG = {"9007199254740993", "12345678901234567", "1234567890123456789",
        "99999999999999999999"};
    private static final String[] DECIMALS = {"0.1", "-0.0", "0.0", "3.14159", "-1.841735", "1e5", "1E5", "2.5e-3",
        "2.5E+10", "1e-7", "0.30000000000000004", "4.9e-324", "1.7976931348623157e308", "123456789.123456789",
        "1234567890123456789.5", "0.000001", "-2.51676", "100.0", "1e22", "1e23", "9007199254740993.0"};
    private static final String[] BAD_NUMBERS = {"01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "1e400", "-1e400",
        "NaN", "Infinity", "0x10"};
    private static final String[] PLAIN = {"red", "green", "blue", "yes", "no", "é", "日本語", "say hi", "n/a",
        "NA", "null", "true", "  padded  ", "x-y", "Ω≈ç√"};
    private static final String[] ESCAPED = {"line\\nbreak", "quote\\\"d", "back\\\\slash", "\\u00e9t\\u00e9",
        "\\ud83d\\ude00 emoji", "tab\\there", "sl\\/ash"};
    private static final String[] DATE_LIKE = {"2024-01-02", "01-02-2024", "12:30:00", "2024-01-02 10:00:00",
        "2024-01-02T10:00:00Z", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "infinity", "123", "1.5", "-1", "abc", "beef", "epoch", "a", "dec", "{cafe}", "f-e",
        "abcdefabcdefabcdefabcdefabcdefab", "ABCDEF-abcd-efab-cdef-abcdefabcdef", "{abcdefab-cdef-abcd-efab-cdefabcdefab}"};

    private enum Kind { INTEGER, DECIMAL, MIXED_NUMBERS, PLAIN, PLAIN_AND_DATES, DATES, BOOLEAN, ALL_NULL, TWO_KINDS }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 300)
    void theReaderGivesDuckDbsColumnsOrDeclines(@ForAll("seeds") long seed) throws IOException {
        withRandomFile(new Random(seed), (file, generated, random) -> {
            ReadOptions options = options(random, generated.names);
            Set<String> named = options.types().keySet();
            Object expected = outcome(() -> DuckDbReader.readTypedByJdbc(file, DuckDbReader.Format.JSON_LINES,
                    options, named));
            Object actual = outcome(() -> JsonLinesReader.readTyped(file, options, named));
            if (generated.readable) {
                assertThat(actual).as("declined a plain file:\n%s", generated.text).isNotNull();
            }
            Statistics.label("read here").collect(actual != null);
            if (actual != null) {
                assertThat(actual).as("%s with %s", generated.text, options).isEqualTo(expected);
                // The same lines in a .json file: DuckDB's format detection reads them as JSON lines.
                assertThat(actual).as(".json: %s with %s", generated.text, options).isEqualTo(outcome(() ->
                        DuckDbReader.readTypedByJdbc(file, DuckDbReader.Format.JSON, options, named)));
            }
        });
    }

    /**
     * Sketched as it is parsed ({@link JsonLinesChunkColumns}), a file gives the sketches and types of reading it whole and
     * sketching the frame, or declines; with no type given, or a column forced to a random type.
     */
    @Property(tries = 200)
    void theSketcherGivesTheWholeReadsSketchesOrDeclines(@ForAll("seeds") long seed) throws IOException {
        withRandomFile(new Random(seed), (file, generated, random) -> {
            ReadOptions options = random.nextBoolean() ? ReadOptions.defaults() : ReadOptions.defaults().withTypes(Map.of(
                    generated.names.get(random.nextInt(generated.names.size())),
                    ColumnType.values()[random.nextInt(ColumnType.values().length)]));
            Object expected = outcome(() -> {
                DataFrame frame = DataReader.read(file, options);
                return sketched(new Sketcher.Typed(Sketcher.sketch(frame, 16, 10), types(frame)));
            });
            Sketcher.Typed actual = JsonLinesChunkColumns.sketch(file, options, 16, 10, true);
            Statistics.label("sketched here").collect(actual != null);
            if (generated.readable && options.types().isEmpty()) {
                assertThat(actual).as("declined a plain file:\n%s", generated.text).isNotNull();
            }
            if (actual != null) {
                assertThat(sketched(actual)).as("%s with %s", generated.text, options).isEqualTo(expected);
            }
        });
    }

    /**
     * Profiled as it is parsed ({@link JsonLinesChunkColumns#profile}), a file gives the profile of reading it whole and
     * profiling the frame (its rows kept in one array per column, sized by the rows the chunks so far suggest), or
     * declines; {@link Profiler#profile(Path)} gives that profile, or the whole read's error, either way.
     */
    @Property(tries = 200)
    void theProfileIsTheWholeReadsOrDeclined(@ForAll("seeds") long seed) throws IOException {
        withRandomFile(new Random(seed), (file, generated, random) -> {
            Object expected = outcome(() -> profiled(Profiler.profile(DataReader.read(file))));
            var actual = JsonLinesChunkColumns.profile(file);
            Statistics.label("profiled here").collect(actual != null);
            if (generated.readable) {
                assertThat(actual).as("declined a plain file:\n%s", generated.text).isNotNull();
            }
            if (actual != null) {
                assertThat(profiled(actual)).as(generated.text).isEqualTo(expected);
            }
            assertThat(outcome(() -> profiled(Profiler.profile(file)))).as(generated.text).isEqualTo(expected);
        });
    }

    private static String profiled(dev.kiln.runtime.profile.DatasetProfile profile) {
        try {
            return dev.kiln.runtime.Json.mapper().writeValueAsString(profile);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface FileCheck {
        void check(Path file, Generated generated, Random random);
    }

    /** Runs {@code check} on a random file, read in blocks of a random size so that chunk boundaries fall everywhere. */
    private static void withRandomFile(Random random, FileCheck check) throws IOException {
        Generated generated = generate(random);
        Path file = Files.createTempFile("kiln-jsonl", ".jsonl");
        int block = JsonLinesReader.blockSize;
        try {
            Files.write(file, generated.text.getBytes(StandardCharsets.UTF_8));
            JsonLinesReader.blockSize = 1 + random.nextInt(random.nextBoolean() ? 64 : 4096);
            check.check(file, generated, random);
        } finally {
            JsonLinesReader.blockSize = block;
            Files.deleteIfExists(file);
        }
    }

    private static Map<String, ColumnType> types(DataFrame frame) {
        Map<String, ColumnType> types = new java.util.LinkedHashMap<>();
        for (DataColumn column : frame.columns()) {
            types.put(column.name(), column.type());
        }
        return types;
    }

    private static String sketched(Sketcher.Typed typed) {
        try {
            return typed.types() + "\n" + dev.kiln.runtime.Json.mapper().writeValueAsString(typed.sketch());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ReadOptions options(Random random, List<String> names) {
        String some = names.get(random.nextInt(names.size()));
        return switch (random.nextInt(6)) {
            case 0 -> ReadOptions.labelled(some);
            case 1 -> ReadOptions.defaults().withOtherColumnsVerbatim();
            case 2 -> ReadOptions.defaults().withOtherColumns(ColumnType.NUMERIC);
            case 3 -> ReadOptions.defaults().withOtherColumnsVerbatim().withTypes(Map.of(some, ColumnType.NUMERIC));
            default -> ReadOptions.defaults();
        };
    }

    private record Generated(String text, List<String> names, boolean readable) {
    }

    private static Generated generate(Random random) {
        int width = 1 + random.nextInt(4);
        List<String> names = new ArrayList<>();
        while (names.size() < width) {
            String key = KEYS[random.nextInt(KEYS.length)];
            if (!names.contains(key)) {
                names.add(key);
            }
        }
        Kind[] kinds = new Kind[width];
        boolean readable = true;
        for (int c = 0; c < width; c++) {
            kinds[c] = random.nextInt(3) == 0 ? Kind.values()[random.nextInt(Kind.values().length)]
                    : List.of(Kind.INTEGER, Kind.DECIMAL, Kind.PLAIN, Kind.BOOLEAN).get(random.nextInt(4));
            readable &= kinds[c] != Kind.DATES && kinds[c] != Kind.ALL_NULL && kinds[c] != Kind.TWO_KINDS;
        }
        int rows = 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 30);
        String lineEnd = random.nextInt(5) == 0 ? "\r\n" : "\n";
        StringBuilder out = new StringBuilder();
        if (random.nextInt(8) == 0) { // blank lines before the first object: DuckDB skips them
            out.append(List.of("", " ", "\t", "\r").get(random.nextInt(4))).append(lineEnd);
        }
        // Lines after the first may give the keys in another order, leave some out (null), or add keys the first line
        // lacks: an event log's shape.
        boolean shuffled = random.nextInt(3) == 0;
        boolean optional = random.nextInt(3) == 0;
        List<String> extras = new ArrayList<>();
        java.util.Set<String> given = new java.util.HashSet<>(); // the extras some line gave
        List<Kind> extraKinds = new ArrayList<>();
        for (String key : LATE_KEYS) {
            if (random.nextInt(4) == 0 && !names.contains(key)) {
                extras.add(key);
                extraKinds.add(List.of(Kind.INTEGER, Kind.DECIMAL, Kind.PLAIN, Kind.BOOLEAN).get(random.nextInt(4)));
            }
        }
        boolean[] seen = new boolean[width];
        for (int r = 0; r < rows; r++) {
            StringBuilder line = new StringBuilder(space(random)).append('{');
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                boolean last = r == rows - 1;
                if (r == 0 || !optional || (last && !seen[c]) || random.nextInt(3) > 0) {
                    order.add(c);
                }
            }
            for (int x = 0; x < extras.size(); x++) {
                if (r > 0 && random.nextInt(4) == 0) {
                    order.add(width + x);
                }
            }
            if (r > 0 && shuffled) {
                java.util.Collections.shuffle(order, random);
            }
            for (int c : order) {
                if (c >= width) { // a key the first line lacks, always with a value of its kind
                    if (line.charAt(line.length() - 1) != '{') {
                        line.append(space(random)).append(',');
                    }
                    line.append('"').append(extras.get(c - width)).append("\":")
                            .append(value(random, extraKinds.get(c - width), true));
                    given.add(extras.get(c - width));
                    continue;
                }
                if (line.charAt(line.length() - 1) != '{') {
                    line.append(space(random)).append(',');
                }
                line.append(space(random)).append('"').append(names.get(c)).append('"').append(space(random))
                        .append(':').append(space(random));
                boolean last = r == rows - 1;
                String value = random.nextInt(6) == 0 && !(last && !seen[c]) ? "null" : value(random, kinds[c], !seen[c] || last);
                if (!value.equals("null")) {
                    seen[c] = true;
                }
                if (random.nextInt(200) == 0) { // rare: what DuckDB reads differently or not at all
                    String odd = random.nextBoolean() ? BAD_NUMBERS[random.nextInt(BAD_NUMBERS.length)]
                            : TOO_BIG[random.nextInt(TOO_BIG.length)];
                    value = kinds[c] == Kind.INTEGER || kinds[c] == Kind.DECIMAL ? odd : value;
                    readable &= !(kinds[c] == Kind.INTEGER || kinds[c] == Kind.DECIMAL);
                }
                line.append(value);
            }
            line.append(space(random)).append('}').append(space(random));
            if (random.nextInt(300) == 0) { // a broken line: nested, cut short, an extra or repeated key, blank
                String[] broken = {"{\"a\":{\"b\":1}}", "{\"a\":[1]}", line.substring(0, line.length() / 2),
                    line.substring(0, line.length() - 2) + ",\"extra\":1}", "",
                    "{\"" + names.get(0) + "\":1,\"" + names.get(0) + "\":2}"};
                line = new StringBuilder(broken[random.nextInt(broken.length)]);
                readable = false;
            }
            out.append(line);
            if (r < rows - 1 || random.nextBoolean()) {
                out.append(lineEnd);
            }
        }
        List<String> all = new ArrayList<>(names);
        extras.stream().filter(given::contains).forEach(all::add);
        return new Generated(out.toString(), all, readable);
    }

    /** A JSON value of the column's kind; {@code witness} asks a string column for a value that no date can be. */
    private static String value(Random random, Kind kind, boolean witness) {
        return switch (kind) {
            case INTEGER -> random.nextBoolean() ? INTEGERS[random.nextInt(INTEGERS.length)]
                    : Long.toString(random.nextLong() % 1_000_000_000_000L);
            case DECIMAL -> decimal(random);
            case MIXED_NUMBERS -> random.nextBoolean() ? INTEGERS[random.nextInt(INTEGERS.length)] : decimal(random);
            case PLAIN -> string(random, witness);
            case PLAIN_AND_DATES -> witness || random.nextBoolean() ? string(random, true)
                    : quoted(DATE_LIKE[random.nextInt(DATE_LIKE.length)]);
            case DATES -> quoted(DATE_LIKE[random.nextInt(DATE_LIKE.length)]);
            case BOOLEAN -> random.nextBoolean() ? "true" : "false";
            case ALL_NULL -> "null";
            case TWO_KINDS -> random.nextBoolean() ? decimal(random) : string(random, true);
        };
    }

    private static String decimal(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> DECIMALS[random.nextInt(DECIMALS.length)];
            case 1 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
            default -> String.format(java.util.Locale.ROOT, "%." + (1 + random.nextInt(12)) + "f",
                    random.nextGaussian() * Math.pow(10, random.nextInt(8)));
        };
    }

    private static String string(Random random, boolean plain) {
        if (plain) {
            return quoted(PLAIN[random.nextInt(PLAIN.length)]);
        }
        return random.nextInt(3) == 0 ? "\"" + ESCAPED[random.nextInt(ESCAPED.length)] + "\""
                : quoted(PLAIN[random.nextInt(PLAIN.length)] + (random.nextBoolean() ? "" : " " + random.nextInt(100)));
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private static String space(Random random) {
        return random.nextInt(4) == 0 ? List.of(" ", "  ", "\t").get(random.nextInt(3)) : "";
    }

    /** The columns, or the error's code and message. */
    private static Object outcome(Supplier<Object> read) {
        try {
            return read.get();
        } catch (KilnException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
