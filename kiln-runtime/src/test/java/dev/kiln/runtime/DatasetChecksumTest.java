package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.DatasetChecksum;
import dev.kiln.runtime.bundle.DatasetChecksum.FileEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetChecksumTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void oneFileIsItsOwnHashAndSeveralTheHashOfTheSortedManifest() {
        assertThat(DatasetChecksum.version(List.of(new FileEntry("x.csv", A, 3)))).isEqualTo(A);
        List<FileEntry> two = List.of(new FileEntry("z.csv", B, 1), new FileEntry("p=1/a.csv", A, 2));
        assertThat(DatasetChecksum.manifest(two)).isEqualTo("p=1/a.csv\t" + A + "\nz.csv\t" + B + "\n");
        assertThat(DatasetChecksum.version(two))
                .isEqualTo(Checksums.sha256(("p=1/a.csv\t" + A + "\nz.csv\t" + B + "\n").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(DatasetChecksum.version(List.of(two.get(1), two.get(0))));
        assertThatThrownBy(() -> DatasetChecksum.version(List.of(new FileEntry("x", A, 1), new FileEntry("x", B, 1))))
                .isInstanceOf(KilnException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> DatasetChecksum.version(List.of())).isInstanceOf(KilnException.class);
    }

    @Test
    void namesAreRelativeToTheDeepestCommonDirectory() {
        assertThat(DatasetChecksum.names(List.of(Path.of("/d/x/one.csv")))).containsExactly("one.csv");
        assertThat(DatasetChecksum.names(List.of(Path.of("/d/x/p=1/a.csv"), Path.of("/d/x/p=2/a.csv"))))
                .containsExactly("p=1/a.csv", "p=2/a.csv");
        assertThat(DatasetChecksum.names(List.of(Path.of("/d/x/a.csv"), Path.of("/d/y/b.csv"))))
                .containsExactly("x/a.csv", "y/b.csv");
        assertThat(DatasetChecksum.commonDirectory(List.of(Path.of("/d/x/a.csv"), Path.of("/d/xy/b.csv"))))
                .isEqualTo(Path.of("/d"));
    }
}
