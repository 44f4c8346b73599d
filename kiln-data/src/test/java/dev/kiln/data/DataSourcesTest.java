package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    @TempDir
    Path base;

    private List<String> names(List<Path> files) throws Exception {
        Path real = base.toRealPath();
        return files.stream().map(f -> real.relativize(f).toString()).toList();
    }

    @Test
    void aFileIsItselfInCanonicalForm() throws Exception {
        Path f = write(base, "train.csv", "a\n1\n");
        Files.createDirectory(base.resolve("sub"));
        assertThat(DataSources.resolve("sub/../train.csv", base)).containsExactly(f.toRealPath());
        assertThat(DataSources.resolve(f.toString(), Path.of("/nowhere"))).containsExactly(f.toRealPath());
    }

    @Test
    void aGlobMatchesDataFilesSortedAndDoubleStarCrossesDirectoriesIncludingNone() throws Exception {
        Files.createDirectories(base.resolve("data/2024/q1"));
        write(base, "data/b.csv", "a\n1\n");
        write(base, "data/a.csv", "a\n1\n");
        write(base, "data/notes.md", "not data");
        write(base, "data/.hidden.csv", "a\n1\n");
        write(base, "data/2024/x.parquet", "x");
        write(base, "data/2024/q1/y.parquet", "y");
        assertThat(names(DataSources.resolve("data/*.csv", base))).containsExactly("data/a.csv", "data/b.csv");
        assertThat(names(DataSources.resolve("data/**/*.parquet", base)))
                .containsExactly("data/2024/q1/y.parquet", "data/2024/x.parquet");
        write(base, "data/top.parquet", "t");
        assertThat(names(DataSources.resolve("data/**/*.parquet", base)))
                .containsExactly("data/2024/q1/y.parquet", "data/2024/x.parquet", "data/top.parquet");
        assertThat(names(DataSources.resolve(base.resolve("data").toString() + "/?.csv", Path.of("/elsewhere"))))
                .containsExactly("data/a.csv", "data/b.csv");
    }

    @Test
    void aDirectoryMeansEveryDataFileUnderItSortedSkippingHiddenAndOtherFiles() throws Exception {
        Files.createDirectories(base.resolve("d/part=2"));
        Files.createDirectories(base.resolve("d/.tmp-x"));
        write(base, "d/z.csv", "a\n1\n");
        write(base, "d/a.jsonl", "{\"a\":1}\n");
        write(base, "d/README.txt.bak", "no");
        write(base, "d/part=2/m.csv", "a\n1\n");
        write(base, "d/.tmp-x/half.csv", "a\n1\n");
        assertThat(names(DataSources.resolve("d", base))).containsExactly("d/a.jsonl", "d/part=2/m.csv", "d/z.csv");
    }

    @Test
    void clearErrorsForMissingPathsEmptyMatchesAndEmptyFiles() throws Exception {
        assertKiln(() -> DataSources.resolve("nope/train.csv", base), ErrorCode.FILE_NOT_FOUND)
                .hasMessageContaining("'nope/train.csv'").hasMessageContaining(base.resolve("nope/train.csv").toString());
        assertKiln(() -> DataSources.resolve("nope/*.csv", base), ErrorCode.FILE_NOT_FOUND)
                .hasMessageContaining("'nope/*.csv'");
        Files.createDirectory(base.resolve("empty"));
        write(base, "empty/readme.md", "x");
        assertKiln(() -> DataSources.resolve("empty", base), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("empty").hasMessageContaining("no data file");
        assertKiln(() -> DataSources.resolve("empty/*.csv", base), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("glob 'empty/*.csv' matches no data file");
        write(base, "zero.csv", "");
        assertKiln(() -> DataSources.resolve("zero.csv", base), ErrorCode.DATA_EMPTY)
                .hasMessageContaining(base.toRealPath().resolve("zero.csv").toString());
        assertKiln(() -> DataSources.resolve("jdbc:postgresql://h/db?user=u&password=secret", base), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("needs a query").satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        assertKiln(() -> DataSources.resolve(" ", base), ErrorCode.INVALID_ARGUMENT);
    }
}
