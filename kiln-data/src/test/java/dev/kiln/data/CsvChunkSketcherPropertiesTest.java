package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.ParallelCsvReaderPropertiesTest.GeneratedFile;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sketching a CSV file while it is parsed gives exactly the sketches and types of reading it whole and sketching the
 * frame, or null (the caller then reads it whole): on the parallel reader's random tables (delimiters, quoting, blank
 * lines, missing tokens, number forms, booleans, dates, text, columns turning textual, injected errors), with tiny
 * blocks so chunk boundaries fall everywhere, and small sketches so compaction and the category cap depend on the
 * order the values come in.
 */
class CsvChunkSketcherPropertiesTest {
    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 400)
    void sketchesAsTheWholeReadDoesOrDeclines(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        GeneratedFile generated = ParallelCsvReaderPropertiesTest.generate(random);
        int k = 8 + random.nextInt(24);
        int maxCategories = 1 + random.nextInt(6);
        Path file = Files.createTempFile("kiln-chunk-sketch", generated.extension());
        try {
            Files.write(file, generated.bytes());
            ReadOptions options = generated.options();
            String expected = wholeRead(file, options, k, maxCategories);
            int tiny = 1 + random.nextInt(24);
            Sketcher.Typed tinyBlocks = ParallelCsvReaderPropertiesTest.withBlockSize(tiny,
                    () -> CsvChunkSketcher.sketch(file, options, k, maxCategories));
            Sketcher.Typed defaultBlocks = CsvChunkSketcher.sketch(file, options, k, maxCategories);
            String shown = "block " + tiny + ", k " + k + ", max categories " + maxCategories + ", " + options + "\n"
                    + new String(generated.bytes(), StandardCharsets.UTF_8);
            // Not vacuous: these tables mix kinds a lot (one value a chunk with tiny blocks), yet some are sketched.
            Statistics.label("tiny blocks").collect(tinyBlocks != null ? "sketched" : "declined");
            Statistics.label("tiny blocks").coverage(checker -> checker.check("sketched").percentage(p -> p > 1));
            Statistics.label("default blocks").collect(defaultBlocks != null ? "sketched" : "declined");
            Statistics.label("default blocks").coverage(checker -> checker.check("sketched").percentage(p -> p > 10));
            for (Sketcher.Typed actual : new Sketcher.Typed[] {tinyBlocks, defaultBlocks}) {
                if (actual != null) {
                    assertThat(show(actual)).as(shown).isEqualTo(expected);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A plain file is sketched while parsed (not declined), across many chunks, numbers, text, booleans and all-missing. */
    @Test
    void sketchesAPlainFileWhileParsing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plain.csv");
        StringBuilder csv = new StringBuilder("x,n,flag,colour,empty,note\n");
        Random random = new Random(3);
        for (int row = 0; row < 2_000; row++) {
            csv.append(random.nextInt(20) == 0 ? "" : String.format(java.util.Locale.ROOT, "%.4f", random.nextGaussian()))
                    .append(',').append(random.nextInt(50))
                    .append(',').append(random.nextBoolean() ? "yes" : "no")
                    .append(',').append(new String[] {"red", "green", "blue", "NA"}[random.nextInt(4)])
                    .append(",,").append("a note with several words and number ").append(row).append('\n');
        }
        Files.writeString(file, csv);
        for (int block : new int[] {7, 64, 1 << 12, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
            Sketcher.Typed sketched = ParallelCsvReaderPropertiesTest.withBlockSize(block,
                    () -> CsvChunkSketcher.sketch(file, ReadOptions.defaults(), 16, 3));
            assertThat(sketched).as("block %d", block).isNotNull();
            assertThat(show(sketched)).as("block %d", block).isEqualTo(wholeRead(file, ReadOptions.defaults(), 16, 3));
            assertThat(sketched.types()).containsEntry("x", ColumnType.NUMERIC).containsEntry("n", ColumnType.INTEGER)
                    .containsEntry("flag", ColumnType.BOOLEAN).containsEntry("colour", ColumnType.CATEGORICAL)
                    .containsEntry("empty", ColumnType.CATEGORICAL).containsEntry("note", ColumnType.TEXT);
        }
    }

    /** Numbers first and text later in one column needs the number chunks parsed again as text: the whole read does it. */
    @Test
    void declinesAColumnThatTurnsTextualInALaterChunk(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("turns.csv");
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int row = 0; row < 500; row++) {
            csv.append(row).append(',').append(row < 400 ? String.valueOf(row) : "word").append('\n');
        }
        Files.writeString(file, csv);
        Sketcher.Typed sketched = ParallelCsvReaderPropertiesTest.withBlockSize(64,
                () -> CsvChunkSketcher.sketch(file, ReadOptions.defaults(), 16, 10));
        assertThat(sketched).isNull();
        assertThat(Sketcher.sketchWithTypes(file, ReadOptions.defaults()).types()).containsEntry("b", ColumnType.CATEGORICAL);
    }

    /** A bad record in the middle of many chunks: declined, without waiting forever for the chunks after it. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void declinesABadRecordWithoutHanging(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int row = 0; row < 5_000; row++) {
            csv.append(row).append(',').append(row * 0.5).append(row == 2_500 ? ",extra" : "").append('\n');
        }
        Files.writeString(file, csv);
        for (int block : new int[] {1, 16, 256}) {
            assertThat(ParallelCsvReaderPropertiesTest.withBlockSize(block,
                    () -> CsvChunkSketcher.sketch(file, ReadOptions.defaults(), 16, 10))).as("block %d", block).isNull();
        }
    }

    /** The whole read's sketch and types as JSON, or the error's code and message when it fails. */
    private static String wholeRead(Path file, ReadOptions options, int k, int maxCategories) {
        DataFrame frame;
        try {
            frame = DataReader.read(file, options);
        } catch (KilnException e) {
            return "failed: " + e.code() + " " + e.getMessage();
        }
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (Field f : frame.schema().fields()) {
            types.put(f.name(), f.type());
        }
        return show(new Sketcher.Typed(Sketcher.sketch(frame, k, maxCategories), types));
    }

    private static String show(Sketcher.Typed typed) {
        try {
            return typed.types() + "\n" + Json.mapper().writeValueAsString(typed.sketch());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
