package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln predict --explain} on models other than the quickstart's: a multiclass GBDT (one base and one set of
 * contributions per class, each class's margins through the softmax giving its probability) and a regression, on the
 * Seattle weather data shipped with Kiln; and bad input.
 */
class ExplainCliTest {
    @TempDir
    Path home;

    private Path weather() throws IOException {
        Path data = home.resolve("seattle-weather.csv");
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/kiln/app/demo/seattle-weather.csv")) {
            Files.copy(in, data);
        }
        return data;
    }

    private Path train(Path data, String target, String algorithm) {
        Path bundle = home.resolve(target + "-" + algorithm);
        CliRun run = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", target,
                "--algorithms", algorithm, "--out", bundle.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return bundle;
    }

    /** The shipped weather data scored with --explain by a model of {@code algorithm} trained to predict {@code target}. */
    private List<String> explained(String target, String algorithm) throws IOException {
        Path data = weather();
        Path bundle = train(data, target, algorithm);
        Path out = home.resolve("explained.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", data.toString(), "--output", out.toString(), "--explain");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Files.readAllLines(out);
    }

    @Test
    void multiclassRowsGetABaseAndContributionsPerClassThatGiveEachProbability() throws IOException {
        List<String> lines = explained("weather", "gbdt");
        List<String> header = List.of(lines.get(0).split(","));
        List<String> classes = header.stream().filter(h -> h.startsWith("probability_")).map(h -> h.substring("probability_".length())).toList();
        assertThat(classes).hasSizeGreaterThanOrEqualTo(4);
        List<String> inputs = List.of("date", "precipitation", "temp_max", "temp_min", "wind");
        for (String c : classes) {
            assertThat(header).contains("explanation_base_" + c);
            for (String in : inputs) {
                assertThat(header).contains("contribution_" + c + "_" + in);
            }
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            double[] margins = new double[classes.size()];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes.size(); k++) {
                margins[k] = Double.parseDouble(cells[header.indexOf("explanation_base_" + classes.get(k))]);
                for (String in : inputs) {
                    margins[k] += Double.parseDouble(cells[header.indexOf("contribution_" + classes.get(k) + "_" + in)]);
                }
                max = Math.max(max, margins[k]);
            }
            double sum = 0;
            for (double m : margins) {
                sum += Math.exp(m - max);
            }
            for (int k = 0; k < classes.size(); k++) {
                // A calibrated model explains its score before calibration, which the file gives beside the probability.
                int explainedColumn = header.indexOf("uncalibrated_probability_" + classes.get(k));
                double p = Double.parseDouble(cells[explainedColumn >= 0 ? explainedColumn
                        : header.indexOf("probability_" + classes.get(k))]);
                assertThat(Math.exp(margins[k] - max) / sum).as(line + ": " + classes.get(k)).isCloseTo(p, Offset.offset(1e-5));
            }
        }
    }

    @Test
    void regressionRowsSumToTheirPredictedValue() throws IOException {
        List<String> lines = explained("temp_max", "linear");
        List<String> header = List.of(lines.get(0).split(","));
        int base = header.indexOf("explanation_base");
        assertThat(header.subList(base + 1, header.size())).allMatch(h -> h.startsWith("contribution_")).doesNotContain("contribution_temp_max");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            double sum = 0;
            for (int j = base; j < cells.length; j++) {
                sum += Double.parseDouble(cells[j]);
            }
            double predicted = Double.parseDouble(cells[header.indexOf("prediction")]);
            assertThat(sum).as(line).isCloseTo(predicted, Offset.offset(1e-9 * (1 + Math.abs(predicted))));
        }
    }

    @Test
    void badInputNamesTheColumnAndWritesNothing() throws IOException {
        Path data = weather();
        Path bundle = train(data, "weather", "tree");
        List<String> lines = Files.readAllLines(data);
        Path bad = home.resolve("bad.csv");
        List<String> wrong = new java.util.ArrayList<>(lines.subList(0, 10));
        wrong.set(4, wrong.get(4).replaceFirst("^([^,]*),[^,]*,", "$1,lots,"));
        Files.write(bad, wrong);
        Path out = home.resolve("never.csv");
        CliRun typed = CliRun.of("predict", "--model", bundle.toString(), "--input", bad.toString(), "--output", out.toString(), "--explain");
        assertThat(typed.exitCode()).isEqualTo(2);
        assertThat(typed.err()).contains("precipitation").contains("lots");
        assertThat(Files.exists(out)).isFalse();

        Path empty = home.resolve("empty.csv");
        Files.writeString(empty, "");
        CliRun none = CliRun.of("predict", "--model", bundle.toString(), "--input", empty.toString(), "--output", out.toString(), "--explain");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("empty");
        assertThat(Files.exists(out)).isFalse();
    }
}
