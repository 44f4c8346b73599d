package dev.kiln.data;

import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LargeInputTest {
    @TempDir
    Path dir;

    @Test
    void categoricalWithOneHundredThousandLevels() {
        StringBuilder text = new StringBuilder("id,customer\n");
        for (int i = 0; i < 100_000; i++) {
            text.append(i).append(",cust-").append(i).append('\n');
        }
        Path f = write(dir, "levels.csv", text.toString());
        DataFrame df = DataReader.read(f);
        DatasetProfile profile = Profiler.profile(df);
        assertThat(df.column("customer").type()).isEqualTo(ColumnType.CATEGORICAL);
        ColumnProfile p = profile.column("customer").orElseThrow();
        assertThat(p.distinct()).isEqualTo(100_000);
        assertThat(p.topCategories()).hasSize(20);
        assertThat(p.topCategories().get(0).count()).isEqualTo(1);
        assertThat(p.topCategories().get(0).value()).isEqualTo("cust-0");
    }

    @Test
    void oneHundredThousandRowsByTwentyColumns() throws IOException {
        Path f = dir.resolve("wide.csv");
        SplittableRandom random = new SplittableRandom(1);
        try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            StringBuilder header = new StringBuilder();
            for (int c = 0; c < 20; c++) {
                header.append(c == 0 ? "" : ",").append("c").append(c);
            }
            w.write(header.append('\n').toString());
            String[] colors = {"red", "green", "blue", "\"cyan, light\"", "NA"};
            for (int r = 0; r < 100_000; r++) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < 20; c++) {
                    if (c > 0) {
                        line.append(',');
                    }
                    switch (c % 4) {
                        case 0 -> line.append(random.nextInt(1000));
                        case 1 -> line.append(random.nextDouble() * 100);
                        case 2 -> line.append(colors[random.nextInt(colors.length)]);
                        default -> line.append(random.nextBoolean() ? "yes" : "no");
                    }
                }
                w.write(line.append('\n').toString());
            }
        }
        DataFrame df = DataReader.read(f);
        Profiler.profile(df);
        assertThat(df.rowCount()).isEqualTo(100_000);
        assertThat(df.columns()).hasSize(20);
        assertThat(df.column("c0").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("c1").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.column("c2").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("c3").type()).isEqualTo(ColumnType.BOOLEAN);
        // Speed is measured in bench/ (TrainingBenchmark's read + encode), not asserted here: a wall-clock
        // bound fails on a loaded CI machine without saying anything about the code.
    }
}
