package dev.kiln.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesAFileAndLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("a.json");
        AtomicFiles.writeString(target, "old");
        AtomicFiles.writeString(target, "new");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(entries()).containsExactly("a.json");
    }

    @Test
    void aFailedWriteLeavesTheOldContentAndNoTemporary() throws IOException {
        Path target = dir.resolve("a.json");
        AtomicFiles.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(entries()).containsExactly("a.json");
    }

    @Test
    void publishesADirectoryTreeInOneRename() throws IOException {
        Path tmp = AtomicFiles.temporaryFor(dir.resolve("bundle"));
        Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(tmp.resolve("sub/model.json"), "{}");
        AtomicFiles.publish(tmp, dir.resolve("bundle"));
        assertThat(Files.readString(dir.resolve("bundle/sub/model.json"))).isEqualTo("{}");
        assertThat(entries()).containsExactly("bundle");
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path target = dir.resolve("x/y/z.txt");
        AtomicFiles.writeString(target, "z");
        assertThat(Files.readString(target)).isEqualTo("z");
    }

    private java.util.List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
