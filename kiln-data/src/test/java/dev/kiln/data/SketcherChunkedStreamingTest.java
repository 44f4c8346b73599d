package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link SketcherTest} again with every file counted too big to read whole, so that CSV files are sketched
 * as the parallel reader parses them ({@link CsvChunkSketcher}, bounded in the text columns' distinct values) and, where
 * that declines, streamed on one thread.
 */
class SketcherChunkedStreamingTest extends SketcherTest {
    @BeforeEach
    void everyFileTooBig() {
        Sketcher.wholeFileLimitBytes = 0;
        Sketcher.chunkedWhenTooBig = true;
    }

    @AfterEach
    void readSmallFilesWhole() {
        Sketcher.wholeFileLimitBytes = -1;
    }

    /**
     * A text column with more distinct values than a file too big to read whole may keep is declined as soon as the
     * bound is passed, and the file is streamed on one thread: the same sketch as that way alone gives.
     */
    @Test
    void aTextColumnWithTooManyValuesIsStreamedOnOneThread() throws Exception {
        Path file = Files.createTempFile("levels", ".csv");
        try {
            StringBuilder csv = new StringBuilder("id,x\n");
            for (int i = 0; i < 3 * Sketcher.MAX_LEVELS_STREAMED; i++) {
                csv.append("id-").append(i).append(',').append(i % 97).append('\n');
            }
            Files.writeString(file, csv);
            assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> CsvChunkSketcher.sketch(file, ReadOptions.defaults(), 16, 10, Sketcher.MAX_LEVELS_STREAMED)))
                    .as("declined").isNull();
            assertThat(CsvChunkSketcher.sketch(file, ReadOptions.defaults(), 16, 10, Integer.MAX_VALUE)).isNotNull();
            Sketcher.Typed chunkedFirst = Sketcher.sketchWithTypes(file, ReadOptions.defaults());
            Sketcher.chunkedWhenTooBig = false;
            Sketcher.Typed oneThread = Sketcher.sketchWithTypes(file, ReadOptions.defaults());
            ObjectMapper json = dev.kiln.runtime.Json.mapper();
            assertThat(json.writeValueAsString(chunkedFirst.sketch())).isEqualTo(json.writeValueAsString(oneThread.sketch()));
            assertThat(chunkedFirst.types()).isEqualTo(oneThread.types());
        } finally {
            Sketcher.chunkedWhenTooBig = true;
            Files.deleteIfExists(file);
        }
    }
}
