package dev.kiln.app.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shipped credit-g data (1,000 rows), whole or in parts, for pipeline tests. */
final class TestData {
    private TestData() {
    }

    static Path credit(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve("credit.csv");
        try (InputStream in = TestData.class.getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    /** The header and rows [from, to) of the credit data, written to {@code out}. */
    static Path creditRows(Path out, int from, int to) throws IOException {
        Path full = credit(Files.createTempDirectory("credit"));
        List<String> lines = Files.readAllLines(full, StandardCharsets.UTF_8);
        List<String> part = new java.util.ArrayList<>();
        part.add(lines.get(0));
        part.addAll(lines.subList(1 + from, 1 + to));
        Files.createDirectories(out.getParent());
        return Files.write(out, part, StandardCharsets.UTF_8);
    }
}
