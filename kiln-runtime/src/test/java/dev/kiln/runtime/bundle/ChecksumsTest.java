package dev.kiln.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumsTest {
    @TempDir
    Path dir;

    @Test
    void aFilesHashIsTheHashOfItsBytes() throws IOException {
        byte[] bytes = "x,y\n1,2\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII); // several 64 KB blocks
        Path file = Files.write(dir.resolve("f.csv"), bytes);
        assertThat(Checksums.sha256(file)).isEqualTo(Checksums.sha256(bytes)).hasSize(64);
        assertThat(Checksums.sha256(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void aStoppedHashReadsNoFurtherAndGivesNull() throws IOException {
        Path file = Files.write(dir.resolve("big.bin"), new byte[64 << 16]); // 64 blocks of 64 KB
        AtomicInteger asked = new AtomicInteger();

        String hash = Checksums.sha256(file, () -> asked.incrementAndGet() > 3);

        assertThat(hash).isNull();
        assertThat(asked.get()).isLessThan(8); // three blocks read, not sixty-four
        assertThat(Checksums.sha256(file, () -> false)).isEqualTo(Checksums.sha256(new byte[64 << 16]));
    }
}
