package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The parallel CSV reader gives exactly what the sequential one gives (frames equal bit for bit, or the same
 * KilnException: code, message, details), on random tables with random delimiters, line endings, quoting, blank
 * lines, byte order marks, missing tokens, number forms, booleans, dates, unicode and injected errors, read with
 * tiny blocks (so chunk boundaries fall everywhere) and with the default block.
 */
class ParallelCsvReaderPropertiesTest {
    private static final char[] DELIMITERS = {',', ';', '\t', '|'};
    private static final String[] INTEGERS = {"0", "-0", "+7", "007", "42", "-13", "123456789012345678",
        "-999999999999999999", "1234567890123456789", "99999999999999999999"};
    private static final String[] DECIMALS = {"+1.", ".5", "-.5", "1e-3", "-0.0", "3.14159", "1E5", "2.5e+10", "1.e2",
        "0.1", "-1.841735", "1e999", "1e-400", "4.9e-324", "1.7976931348623157e308", "123456789012345678901234567890.5",
        "0.30000000000000004", "1e", ".", "+", "1.2.3", "1,5", "0x10", "1d", "Infinity", " 12 ", "3.5\t", "-2 ", "1e+",
        "1e5x", "--1"};
    private static final String[] BOOLEANS = {"true", "FALSE", "Yes", "nO", "TrUe", "no", "yes", "t", "f"};
    private static final String[] DATES = {"2014-03-01", "2014/03/01", "2014-03-01T12:00:00Z", "2014-03-01 12:00",
        "2026-02-30", "2014-03-01T12:00:00.123+0530", "2014-03-01T12:00:00-08:00", "1999-12-31T23:59:59.999999999"};
    private static final String[] MISSING = {"", " ", "?", "NA", "n/a", "NaN", "null", " NULL ", "na", "N/A", "nan"};
    private static final String[] TEXT = {"red", "green", "blue", "a,b", "a;b", "a|b", "a\tb", "say \"hi\"", "5'11\"",
        "x\"y", "line\nbreak", "cr\rlf\r\n", "é", "日本語", "😀 emoji", "  padded  ", "\"", "\"\"",
        "the quick brown fox jumps over the lazy dog again", "another long sentence that has spaces in it, ok",
        "Ω≈ç√ and some words that make it long enough", "\u00a0nbsp\u00a0", "\u2003em space"};

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 500)
    void theParallelReaderMatchesTheSequentialOne(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        GeneratedFile generated = generate(random);
        Path file = Files.createTempFile("kiln-parallel", generated.extension());
        try {
            Files.write(file, generated.bytes());
            Object expected = outcome(() -> ParallelCsvReader.sequential(file, generated.options()));
            int tiny = 1 + random.nextInt(24);
            Object tinyBlocks = withBlockSize(tiny, () -> outcome(() -> ParallelCsvReader.read(file, generated.options())));
            Object defaultBlocks = outcome(() -> ParallelCsvReader.read(file, generated.options()));
            String shown = show(generated);
            assertThat(tinyBlocks).as("block %d, %s", tiny, shown).isEqualTo(expected);
            assertThat(defaultBlocks).as(shown).isEqualTo(expected);
            if (expected instanceof Failure f) {
                assertThat(f.code()).as(shown).isNotEqualTo(ErrorCode.INTERNAL);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Columns forced NUMERIC or INTEGER take the parser's one-pass number path too (`kiln drift` reads the current data
     * with the reference's types): the same values, and the same errors for what does not fit, as the sequential reader.
     */
    @Property(tries = 200)
    void forcedNumberColumnsMatchTheSequentialReader(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        GeneratedFile generated = generate(random);
        ColumnType forced = random.nextBoolean() ? ColumnType.NUMERIC : ColumnType.INTEGER;
        ReadOptions options = generated.options().withOtherColumns(forced);
        Path file = Files.createTempFile("kiln-parallel-forced", generated.extension());
        try {
            Files.write(file, generated.bytes());
            Object expected = outcome(() -> ParallelCsvReader.sequential(file, options));
            int tiny = 1 + random.nextInt(24);
            Object tinyBlocks = withBlockSize(tiny, () -> outcome(() -> ParallelCsvReader.read(file, options)));
            Object defaultBlocks = outcome(() -> ParallelCsvReader.read(file, options));
            String shown = forced + " " + show(generated);
            assertThat(tinyBlocks).as("block %d, %s", tiny, shown).isEqualTo(expected);
            assertThat(defaultBlocks).as(shown).isEqualTo(expected);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Property(tries = 200)
    void severalFilesReadAsOneMatchTheSequentialReader(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        int columns = 1 + random.nextInt(4);
        List<String> names = new ArrayList<>();
        String[][] pools = new String[columns][];
        for (int c = 0; c < columns; c++) {
            names.add("c" + c);
            pools[c] = pool(random);
        }
        Path dir = Files.createTempDirectory("kiln-parallel-all");
        List<Path> files = new ArrayList<>();
        StringBuilder shown = new StringBuilder();
        try {
            for (int f = 0, n = 2 + random.nextInt(2); f < n; f++) {
                List<Integer> order = new ArrayList<>();
                for (int c = 0; c < columns; c++) {
                    order.add(c);
                }
                java.util.Collections.shuffle(order, random);
                List<String> fileNames = new ArrayList<>();
                String[][] filePools = new String[columns][];
                for (int c = 0; c < columns; c++) {
                    fileNames.add(random.nextInt(40) == 0 ? "other" : names.get(order.get(c)));
                    filePools[c] = pools[order.get(c)];
                }
                GeneratedFile generated = generate(random, fileNames, filePools);
                Path file = dir.resolve("part" + f + (random.nextInt(8) == 0 ? ".tsv" : ".csv"));
                Files.write(file, generated.bytes());
                files.add(file.toRealPath());
                shown.append(show(generated)).append('\n');
            }
            ReadOptions options = options(random, names, ',');
            Path source = dev.kiln.runtime.bundle.DatasetChecksum.commonDirectory(files);
            Object expected = frameOutcome(() -> DataReader.readAllSequentially(files, options, source));
            Object actual = withBlockSize(1 + random.nextInt(32), () -> frameOutcome(() -> DataReader.readAll(files, options)));
            assertThat(actual).as(shown.toString()).isEqualTo(expected);
        } finally {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        }
    }

    static Object frameOutcome(Supplier<DataFrame> read) {
        try {
            return read.get();
        } catch (KilnException e) {
            return new Failure(e.code(), e.getMessage(), e.details());
        }
    }

    /** What a read gave: its Result, or the KilnException's code, message and details. */
    record Failure(ErrorCode code, String message, Map<String, Object> details) {
    }

    static Object outcome(Supplier<ParallelCsvReader.Result> read) {
        try {
            return read.get();
        } catch (KilnException e) {
            return new Failure(e.code(), e.getMessage(), e.details());
        }
    }

    static <T> T withBlockSize(int size, Supplier<T> body) {
        int before = ParallelCsvReader.blockSize;
        ParallelCsvReader.blockSize = size;
        try {
            return body.get();
        } finally {
            ParallelCsvReader.blockSize = before;
        }
    }

    record GeneratedFile(byte[] bytes, ReadOptions options, String extension) {
    }

    private static String show(GeneratedFile f) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(f.bytes())).toString();
        } catch (CharacterCodingException e) {
            text = new String(f.bytes(), StandardCharsets.ISO_8859_1);
        }
        return f.options() + " " + f.extension() + " file:\n" + text.replace("\r", "<CR>").replace("\t", "<TAB>");
    }

    static GeneratedFile generate(Random r) {
        return generate(r, null, null);
    }

    /** A random file; {@code fixedNames} and {@code fixedPools} (both or neither) fix its columns and their values. */
    static GeneratedFile generate(Random r, List<String> fixedNames, String[][] fixedPools) {
        char delimiter = DELIMITERS[r.nextInt(DELIMITERS.length)];
        int columns = fixedNames != null ? fixedNames.size() : 1 + r.nextInt(5);
        boolean injectErrors = fixedNames == null || r.nextInt(4) == 0; // several files: mostly clean ones
        int rows = r.nextInt(r.nextInt(10) == 0 ? 300 : 25);
        String fixedEnding = r.nextBoolean() ? pickEnding(r) : null;
        StringBuilder out = new StringBuilder();
        if (r.nextInt(8) == 0) {
            out.append('\uFEFF');
        }
        if (r.nextInt(8) == 0) {
            out.append(r.nextBoolean() ? "\n" : "  \r\n");
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            int kind = r.nextInt(60);
            names.add(fixedNames != null ? fixedNames.get(c)
                    : kind < 3 ? "" : kind == 3 && c > 0 ? names.get(0) : kind < 6 ? "na me" : "c" + c);
        }
        appendRecord(out, names, delimiter, r);
        out.append(ending(fixedEnding, r));
        String[][] pools = new String[columns][];
        int[] switchRow = new int[columns];
        for (int c = 0; c < columns; c++) {
            pools[c] = fixedPools != null ? fixedPools[c] : pool(r);
            switchRow[c] = r.nextInt(4) == 0 ? r.nextInt(rows + 1) : Integer.MAX_VALUE;
        }
        for (int row = 0; row < rows; row++) {
            List<String> values = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                String[] pool = row >= switchRow[c] ? TEXT : pools[c];
                values.add(r.nextInt(10) == 0 ? MISSING[r.nextInt(MISSING.length)] : pool[r.nextInt(pool.length)]);
            }
            if (injectErrors && r.nextInt(60) == 0) {
                values.add("extra"); // a wrong field count
            }
            appendRecord(out, values, delimiter, r);
            if (row < rows - 1 || r.nextBoolean()) {
                out.append(ending(fixedEnding, r));
            }
            if (r.nextInt(15) == 0) {
                out.append(r.nextBoolean() ? " \t " : "").append(ending(fixedEnding, r));
            }
        }
        int error = injectErrors ? r.nextInt(40) : -1;
        if (error == 0) {
            out.append("\"unterminated").append(delimiter).append("x");
        } else if (error == 1) {
            out.append("\"closed\"x").append(ending(fixedEnding, r));
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        if (error == 2 && bytes.length > 0) {
            ByteArrayOutputStream bad = new ByteArrayOutputStream();
            int at = r.nextInt(bytes.length);
            bad.write(bytes, 0, at);
            byte[][] badSequences = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC0, (byte) 0xAF}};
            byte[] seq = badSequences[r.nextInt(badSequences.length)];
            bad.write(seq, 0, seq.length);
            bad.write(bytes, at, bytes.length - at);
            bytes = bad.toByteArray();
        }
        if (error == 3) {
            bytes = new byte[0];
        }
        return new GeneratedFile(bytes, options(r, names, delimiter), r.nextInt(10) == 0 ? ".tsv" : ".csv");
    }

    private static ReadOptions options(Random r, List<String> names, char delimiter) {
        ReadOptions options = ReadOptions.defaults();
        int kind = r.nextInt(12);
        ColumnType[] types = ColumnType.values();
        if (kind == 0) {
            String name = r.nextInt(5) == 0 ? "nope" : names.get(r.nextInt(names.size()));
            options = options.withTypes(Map.of(name, types[r.nextInt(types.length)]));
        } else if (kind == 1) {
            options = options.withOtherColumns(types[r.nextInt(types.length)]);
        } else if (kind == 2) {
            options = options.withDelimiter(r.nextBoolean() ? delimiter : DELIMITERS[r.nextInt(DELIMITERS.length)]);
        } else if (kind == 3 || kind == 4) {
            // `kiln predict`'s read: the columns not named kept as written, whitespace around unquoted values included.
            if (kind == 4) {
                options = options.withTypes(Map.of(names.get(r.nextInt(names.size())), types[r.nextInt(types.length)]));
            }
            options = options.withOtherColumnsVerbatim();
        }
        if (r.nextInt(3) == 0) { // a label column keeps its words where it would be BOOLEAN (and any other option stays)
            options = options.withLabelColumns(List.of(r.nextInt(5) == 0 ? "nope" : names.get(r.nextInt(names.size()))));
        }
        return options;
    }

    private static String[] pool(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> INTEGERS;
            case 1 -> DECIMALS;
            case 2 -> BOOLEANS;
            case 3 -> DATES;
            case 4 -> TEXT;
            case 5 -> new String[] {"1", "2", "3"};
            case 6 -> new String[] {"a", "b", "1"};
            default -> concat(INTEGERS, DECIMALS, BOOLEANS, DATES, MISSING);
        };
    }

    private static String[] concat(String[]... pools) {
        List<String> all = new ArrayList<>();
        for (String[] p : pools) {
            all.addAll(List.of(p));
        }
        return all.toArray(new String[0]);
    }

    private static void appendRecord(StringBuilder out, List<String> values, char delimiter, Random r) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(delimiter);
            }
            String v = values.get(i);
            boolean mustQuote = v.indexOf(delimiter) >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
                    || v.startsWith("\"");
            String pad = r.nextInt(6) == 0 ? (delimiter == '\t' || r.nextBoolean() ? " " : "\t") : "";
            if (mustQuote || r.nextInt(6) == 0) {
                out.append(pad).append('"').append(v.replace("\"", "\"\"")).append('"').append(pad);
            } else {
                out.append(pad).append(v).append(pad);
            }
        }
    }

    private static String pickEnding(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> "\n";
            case 1 -> "\r\n";
            default -> "\r";
        };
    }

    private static String ending(String fixed, Random r) {
        return fixed != null ? fixed : pickEnding(r);
    }
}
