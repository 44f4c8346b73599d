package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link SketcherTest} again with files streamed on one thread rather than read whole (as a file too big
 * to read whole is when the parallel way declines it), and both modes compared.
 */
class SketcherStreamingTest extends SketcherTest {
    @BeforeEach
    void streamEveryFile() {
        Sketcher.wholeFileLimitBytes = 0;
        Sketcher.chunkedWhenTooBig = false;
    }

    @AfterEach
    void readSmallFilesWhole() {
        Sketcher.wholeFileLimitBytes = -1;
        Sketcher.chunkedWhenTooBig = true;
    }

    @Test
    void streamingAndReadingWholeGiveTheSameSketchAndTypes() throws Exception {
        Path file = Files.createTempFile("sketch", ".csv");
        try {
            StringBuilder csv = new StringBuilder("n,i,b,d,c\n");
            for (int k = 0; k < 3000; k++) {
                csv.append(k % 11 == 0 ? "" : String.valueOf(Math.sin(k) * 100)).append(',').append(k * 7 % 50).append(',')
                        .append(k % 3 == 0 ? "true" : "false").append(",2024-01-").append(String.format("%02d", 1 + k % 28))
                        .append(',').append("c").append(k % 5).append('\n');
            }
            Files.writeString(file, csv);
            Sketcher.Typed streamed = Sketcher.sketchWithTypes(file, ReadOptions.defaults());
            Sketcher.wholeFileLimitBytes = -1;
            assertThat(Sketcher.fitsInMemory(file)).isTrue();
            Sketcher.Typed whole = Sketcher.sketchWithTypes(file, ReadOptions.defaults());
            ObjectMapper json = dev.kiln.runtime.Json.mapper();
            assertThat(json.writeValueAsString(whole.sketch())).isEqualTo(json.writeValueAsString(streamed.sketch()));
            assertThat(whole.types()).isEqualTo(streamed.types()).hasSize(5);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
