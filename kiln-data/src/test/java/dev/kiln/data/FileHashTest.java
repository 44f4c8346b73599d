package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileHashTest {
    @TempDir
    Path dir;

    @Test
    void theHashComputedMeanwhileIsTheFilesVersion() throws IOException {
        Path file = Files.writeString(dir.resolve("a.csv"), "x,y\n1,2\n".repeat(50_000));
        assertThat(FileHash.joined(FileHash.meanwhile(file))).isEqualTo(DatasetVersion.sha256(file));
    }

    @Test
    void itsErrorIsRethrownAsItWas() {
        CompletableFuture<String> hash = FileHash.meanwhile(dir.resolve("missing.csv"));
        assertThatThrownBy(() -> FileHash.joined(hash)).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND));
    }

    @Test
    void aCancelledHashGivesNoValue() throws IOException {
        Path file = Files.write(dir.resolve("big.bin"), new byte[32 << 20]);
        CompletableFuture<String> hash = FileHash.meanwhile(file);
        hash.cancel(false);
        assertThatThrownBy(() -> FileHash.joined(hash)).isInstanceOf(CancellationException.class);
    }
}
