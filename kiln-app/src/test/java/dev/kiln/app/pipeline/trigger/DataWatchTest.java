package dev.kiln.app.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataWatchTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path base;

    private final MutableClock clock = new MutableClock(T0.plusSeconds(60));

    /** Writes {@code file} with {@code content} and the modification time {@code at}. */
    private Path write(String file, String content, Instant at) throws IOException {
        Path f = base.resolve(file);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.from(at));
        return f;
    }

    @Test
    void aChangedFileIsReportedOnceItIsStable() throws IOException {
        write("train.csv", "a,b\n1,2\n", T0);
        DataWatch watch = DataWatch.start("train.csv", base, clock);
        assertThat(watch.changed()).isEqualTo(new DataChange.None());

        write("train.csv", "a,b\n1,2\n3,4\n", T0.plusSeconds(30));
        assertThat(watch.changed()).as("first seen now: maybe still growing").isEqualTo(new DataChange.Settling(java.util.List.of("train.csv")));
        DataChange second = watch.changed();
        assertThat(second).isEqualTo(new DataChange.Changed(java.util.List.of(), java.util.List.of("train.csv"), java.util.List.of()));
        assertThat(((DataChange.Changed) second).describe()).isEqualTo("1 changed (train.csv)");
        assertThat(watch.changed()).as("reported once").isEqualTo(new DataChange.None());
    }

    @Test
    void aFileStillBeingWrittenIsNotReportedUntilItStopsChanging() throws IOException {
        write("train.csv", "a\n", T0);
        DataWatch watch = DataWatch.start("train.csv", base, clock);
        write("train.csv", "a\n1\n", T0.plusSeconds(10));
        assertThat(watch.changed()).isInstanceOf(DataChange.Settling.class);
        write("train.csv", "a\n1\n2\n", T0.plusSeconds(20)); // grew between two looks
        assertThat(watch.changed()).isInstanceOf(DataChange.Settling.class);
        // unchanged between two looks, but modified just now: still settling until SETTLE has passed
        clock.set(T0.plusSeconds(20).plusMillis(300));
        assertThat(watch.changed()).isInstanceOf(DataChange.Settling.class);
        clock.set(T0.plusSeconds(20).plus(DataWatch.SETTLE).plusMillis(1));
        assertThat(watch.changed()).isInstanceOf(DataChange.Changed.class);
    }

    @Test
    void aDirectoryWatchesItsDataFilesAndIgnoresTemporaryOnes() throws IOException {
        write("data/jan.csv", "x\n1\n", T0);
        write("data/2026/feb.parquet", "PAR1", T0);
        DataWatch watch = DataWatch.start("data", base, clock);
        assertThat(watch.fingerprint()).containsOnlyKeys("jan.csv", "2026/feb.parquet")
                .containsEntry("jan.csv", new DataWatch.FileState(4, T0));

        write("data/.mar.csv.part", "partial", T0);
        write("data/_tmp/mar.csv", "partial", T0);
        write("data/notes.txt", "hello", T0);
        assertThat(watch.changed()).isEqualTo(new DataChange.None());

        write("data/mar.jsonl", "{}\n", T0.plusSeconds(5));
        Files.delete(base.resolve("data/jan.csv"));
        assertThat(watch.changed()).isInstanceOf(DataChange.Settling.class);
        DataChange.Changed c = (DataChange.Changed) watch.changed();
        assertThat(c.added()).containsExactly("mar.jsonl");
        assertThat(c.removed()).containsExactly("jan.csv");
        assertThat(c.describe()).isEqualTo("1 new (mar.jsonl), 1 removed (jan.csv)");
    }

    @Test
    void aGlobWatchesTheFilesItMatches() throws IOException {
        write("data/a.csv", "x\n", T0);
        write("data/b.parquet", "PAR1", T0);
        DataWatch watch = DataWatch.start("data/*.csv", base, clock);
        assertThat(watch.fingerprint()).containsOnlyKeys("a.csv");
        write("data/b.parquet", "PAR1 more", T0.plusSeconds(1));
        write("data/c.csv", "y\n", T0.plusSeconds(1));
        watch.changed();
        assertThat(watch.changed()).isEqualTo(new DataChange.Changed(java.util.List.of("c.csv"), java.util.List.of(), java.util.List.of()));

        DataWatch deep = DataWatch.start("data/**/*.csv", base, clock);
        write("data/sub/d.csv", "z\n", T0.plusSeconds(2));
        deep.changed();
        assertThat(deep.changed()).isEqualTo(new DataChange.Changed(java.util.List.of("sub/d.csv"), java.util.List.of(), java.util.List.of()));
    }

    @Test
    void aVanishedSourceIsAProblemNotATrigger() throws IOException {
        write("train.csv", "a\n", T0);
        DataWatch watch = DataWatch.start("train.csv", base, clock);
        Files.delete(base.resolve("train.csv"));
        assertThat(watch.changed()).isInstanceOfSatisfying(DataChange.Problem.class,
                p -> assertThat(p.message()).contains("train.csv", "gone"));
        assertThatThrownBy(watch::fingerprint).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND));
        write("train.csv", "a\n", T0);
        assertThat(watch.changed()).as("back as it was").isEqualTo(new DataChange.None());

        DataWatch glob = DataWatch.start("nowhere/*.csv", base, clock);
        assertThat(glob.changed()).isInstanceOfSatisfying(DataChange.Problem.class,
                p -> assertThat(p.message()).contains("no file matches", "nowhere/*.csv"));
        Files.createDirectories(base.resolve("empty"));
        assertThat(DataWatch.start("empty", base, clock).changed()).isInstanceOfSatisfying(DataChange.Problem.class,
                p -> assertThat(p.message()).contains("no data file"));
    }

    @Test
    void aSourceMissingAtTheStartIsAChangeWhenItAppears() throws IOException {
        DataWatch watch = DataWatch.start("later.csv", base, clock);
        assertThat(watch.changed()).isInstanceOf(DataChange.Problem.class);
        write("later.csv", "a\n", T0);
        assertThat(watch.changed()).isInstanceOf(DataChange.Settling.class);
        clock.advance(Duration.ofSeconds(5));
        assertThat(watch.changed()).isEqualTo(new DataChange.Changed(java.util.List.of("later.csv"), java.util.List.of(), java.util.List.of()));
    }

    @Test
    void aBlankSpecIsRefused() {
        assertThatThrownBy(() -> DataWatch.start(" ", base, clock)).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("field", "data");
        });
        assertThatThrownBy(() -> DataWatch.start("data/[a.csv", base, clock)).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains("data/[a.csv", "not a valid pattern");
        });
    }
}
