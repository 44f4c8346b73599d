package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.ParallelCsvReaderPropertiesTest.GeneratedFile;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * Profiling a CSV file while it is parsed ({@link Profiler#profile(Path)}) gives exactly the profile of reading it
 * whole and profiling the frame, whatever its columns turn out to be, or leaves its error to the whole read: on the
 * parallel reader's random tables (delimiters, quoting, blank lines, missing tokens, number forms, booleans, dates,
 * text, columns turning textual, injected errors), with tiny blocks so chunk boundaries fall everywhere.
 */
class CsvChunkProfilerPropertiesTest {
    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 400)
    void profilesAsTheWholeReadDoesOrLeavesItsErrorToIt(@ForAll("seeds") long seed) throws IOException {
        Random random = new Random(seed);
        GeneratedFile generated = ParallelCsvReaderPropertiesTest.generate(random);
        Path file = Files.createTempFile("kiln-chunk-profile", generated.extension());
        try {
            Files.write(file, generated.bytes());
            String expected = shown(() -> Profiler.profile(DataReader.read(file)));
            int tiny = 1 + random.nextInt(24);
            DatasetProfile tinyBlocks = ParallelCsvReaderPropertiesTest.withBlockSize(tiny,
                    () -> CsvChunkProfiler.profile(file));
            DatasetProfile defaultBlocks = CsvChunkProfiler.profile(file);
            String context = "block " + tiny + "\n" + new String(generated.bytes(), StandardCharsets.UTF_8);
            // Not vacuous: these tables mix kinds a lot (one value a chunk with tiny blocks), yet some are profiled.
            Statistics.label("tiny blocks").collect(tinyBlocks != null ? "profiled" : "declined");
            Statistics.label("tiny blocks").coverage(checker -> checker.check("profiled").percentage(p -> p > 1));
            Statistics.label("default blocks").collect(defaultBlocks != null ? "profiled" : "declined");
            Statistics.label("default blocks").coverage(checker -> checker.check("profiled").percentage(p -> p > 10));
            for (DatasetProfile actual : new DatasetProfile[] {tinyBlocks, defaultBlocks}) {
                if (!expected.startsWith("failed: ")) { // a file the whole read reads is profiled while parsed
                    assertThat(actual).as(context).isNotNull();
                }
                if (actual != null) {
                    assertThat(json(actual)).as(context).isEqualTo(expected);
                }
            }
            // What users call: the same profile, or the same error, whichever way it is made.
            assertThat(ParallelCsvReaderPropertiesTest.withBlockSize(tiny, () -> shown(() -> Profiler.profile(file))))
                    .as(context).isEqualTo(expected);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A plain file is profiled while parsed (not declined), across many chunks: numbers with holes, integers, booleans,
     * categories, an all-missing column and free text; rows that lengthen as the file goes on (the first chunks then
     * under-estimate the rows, and a column's array grows) and that shorten (an over-estimate).
     */
    @Test
    void profilesAPlainFileWhileParsing(@TempDir Path dir) throws IOException {
        for (boolean lengthening : new boolean[] {true, false}) {
            Path file = dir.resolve("plain-" + lengthening + ".csv");
            StringBuilder csv = new StringBuilder("x,n,flag,colour,empty,note\n");
            Random random = new Random(3);
            int rows = 3_000;
            for (int row = 0; row < rows; row++) {
                int words = lengthening ? row / 100 : (rows - row) / 100;
                csv.append(random.nextInt(20) == 0 ? "" : String.format(Locale.ROOT, "%.4f", random.nextGaussian()))
                        .append(',').append(random.nextInt(50))
                        .append(',').append(random.nextBoolean() ? "yes" : "no")
                        .append(',').append(new String[] {"red", "green", "blue", "NA"}[random.nextInt(4)])
                        .append(",,").append("a note with number ").append(row).append(" word".repeat(words))
                        .append('\n');
            }
            Files.writeString(file, csv);
            DatasetProfile whole = Profiler.profile(DataReader.read(file));
            String expected = json(whole);
            for (int block : new int[] {7, 64, 1 << 12, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
                DatasetProfile profiled = ParallelCsvReaderPropertiesTest.withBlockSize(block,
                        () -> CsvChunkProfiler.profile(file));
                assertThat(profiled).as("block %d", block).isNotNull();
                assertThat(json(profiled)).as("block %d, lengthening %s", block, lengthening).isEqualTo(expected);
            }
            assertThat(whole.columns()).extracting(ColumnProfile::type)
                    .containsExactly("numeric", "integer", "boolean", "categorical", "categorical", "text");
        }
    }

    /**
     * Numbers first and text later in one column, or numbers of kinds that mix (text overall): the chunks that read it
     * as numbers are parsed again, for that column, as text; the same profile as the whole read's.
     */
    @Test
    void aColumnThatTurnsTextualIsParsedAgainAsText(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("turns.csv");
        StringBuilder csv = new StringBuilder("a,b,c,d\n");
        for (int row = 0; row < 500; row++) {
            csv.append(row).append(',').append(row < 400 ? String.valueOf(row) : "word").append(',')
                    .append(row < 300 ? "yes" : String.valueOf(row * 0.5)).append(',').append(row % 7 == 0 ? "" : "x")
                    .append('\n');
        }
        Files.writeString(file, csv);
        String whole = json(Profiler.profile(DataReader.read(file)));
        for (int block : new int[] {64, 1 << 12, ParallelCsvReader.DEFAULT_BLOCK_SIZE}) {
            DatasetProfile profiled = ParallelCsvReaderPropertiesTest.withBlockSize(block,
                    () -> CsvChunkProfiler.profile(file));
            assertThat(profiled).as("block %d", block).isNotNull();
            assertThat(json(profiled)).as("block %d", block).isEqualTo(whole);
        }
        DatasetProfile profile = Profiler.profile(DataReader.read(file));
        assertThat(profile.columns()).extracting(ColumnProfile::type)
                .containsExactly("integer", "categorical", "categorical", "categorical");
        assertThat(profile.column("b").orElseThrow().distinct()).isEqualTo(401);
    }

    /** A bad record in the middle of many chunks: declined without hanging, and the whole read's error reaches the user. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBadRecordGivesTheWholeReadsError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int row = 0; row < 5_000; row++) {
            csv.append(row).append(',').append(row * 0.5).append(row == 2_500 ? ",extra" : "").append('\n');
        }
        Files.writeString(file, csv);
        String expected = shown(() -> Profiler.profile(DataReader.read(file)));
        assertThat(expected).startsWith("failed: DATA_MALFORMED").contains("line 2502");
        for (int block : new int[] {1, 16, 256}) {
            assertThat(ParallelCsvReaderPropertiesTest.withBlockSize(block, () -> CsvChunkProfiler.profile(file)))
                    .as("block %d", block).isNull();
            assertThat(ParallelCsvReaderPropertiesTest.withBlockSize(block, () -> shown(() -> Profiler.profile(file))))
                    .as("block %d", block).isEqualTo(expected);
        }
    }

    /** Not one CSV file: left to the whole read (a missing file, a directory, Parquet names their own errors there). */
    @Test
    void leavesOtherPathsToTheWholeRead(@TempDir Path dir) throws IOException {
        assertThat(CsvChunkProfiler.profile(dir.resolve("missing.csv"))).isNull();
        assertThat(shown(() -> Profiler.profile(dir.resolve("missing.csv")))).startsWith("failed: FILE_NOT_FOUND");
        Files.writeString(dir.resolve("one.csv"), "a,b\n1,x\n2,y\n");
        assertThat(CsvChunkProfiler.profile(dir)).isNull();
        assertThat(json(Profiler.profile(dir))).isEqualTo(json(Profiler.profile(DataReader.read(dir))));
    }

    /** The profile as JSON, or the error's code and message when it fails. */
    private static String shown(Supplier<DatasetProfile> profile) {
        try {
            return json(profile.get());
        } catch (KilnException e) {
            return "failed: " + e.code() + " " + e.getMessage();
        }
    }

    private static String json(DatasetProfile profile) {
        try {
            return Json.mapper().writeValueAsString(profile);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
