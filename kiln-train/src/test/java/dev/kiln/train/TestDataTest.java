package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln train --test-data}: every row of the test file is a test row, every row of the data a training row. */
class TestDataTest {
    @TempDir
    Path dir;

    @Test
    void everyRowOfTheTestFileIsATestRowAndNoTrainingRowIs() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(TestDataTest.class.getResource("/seattle-weather.csv").toURI()));
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        List<String> trainLines = new ArrayList<>(lines.subList(0, 1001));
        trainLines.add(lines.get(1001).replaceAll(",[a-z]+$", ",")); // a training row without a target is set aside
        Files.write(train, trainLines);
        List<String> testLines = new ArrayList<>(List.of(lines.get(0)));
        testLines.addAll(lines.subList(1002, lines.size()));
        Files.write(test, testLines);

        TrainingReport r = Training.run(TrainOptions.defaults(train, "weather", dir.resolve("m"))
                .withAlgorithms(List.of("linear")).withTestData(test), ProgressListener.NONE);
        assertThat(r.testRows()).isEqualTo(lines.size() - 1002);
        assertThat(r.trainRows()).isEqualTo(1000);
        assertThat(r.validationRows()).as("5-fold: every training row scored out of fold").isEqualTo(1000);
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        assertThat(model.manifest().lineage().testRows()).isEqualTo(lines.size() - 1002);
        assertThat(model.manifest().lineage().parameters()).containsEntry("test_data", test.toString())
                .doesNotContainKey("test_fraction");
    }

    @Test
    void aTestFileWithOtherColumnsIsRefusedNamingThem() throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        StringBuilder rows = new StringBuilder("x,y\n");
        for (int i = 0; i < 40; i++) {
            rows.append(i).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Files.writeString(train, rows);
        Files.writeString(test, "x,z\n1,a\n2,b\n");
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(train, "y", dir.resolve("m")).withTestData(test),
                ProgressListener.NONE)).isInstanceOf(KilnException.class).hasMessageContaining("test.csv");
        Files.writeString(test, "x,y\n1,\n2,\n");
        assertThatThrownBy(() -> Training.run(TrainOptions.defaults(train, "y", dir.resolve("m")).withTestData(test),
                ProgressListener.NONE)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.DATA_EMPTY))
                .hasMessageContaining("--test-data");
    }
}
