package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bundle format Kiln has written still loads and predicts exactly as it did when written. */
class SavedBundlesTest {
    @ParameterizedTest
    @ValueSource(strings = {"format-1.0/credit-gbdt", "format-1.0/credit-linear", "format-1.0/credit-tree",
            "format-1.2/credit-gbdt", "format-1.2/credit-linear", "format-1.2/credit-tree", "format-1.2/credit-forest"})
    void savedBundleStillPredictsTheSame(String name) throws IOException, URISyntaxException {
        Path bundle = Path.of(getClass().getResource("/bundles/" + name + "/manifest.json").toURI()).getParent();
        KilnModel model = KilnModel.load(bundle);
        List<String> lines = Files.readAllLines(bundle.resolveSibling(bundle.getFileName() + ".expected.csv"));
        String[] header = lines.get(0).split(",", -1);
        int prediction = List.of(header).indexOf("prediction");
        assertThat(lines).hasSizeGreaterThan(10);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Object> row = new HashMap<>();
            for (int j = 0; j < prediction; j++) {
                row.put(header[j], cells[j]);
            }
            Prediction p = model.predict(row);
            assertThat(p.prediction()).as(line).isEqualTo(cells[prediction]);
            assertThat(p.probabilities().get("good")).as(line).isEqualTo(Double.parseDouble(cells[prediction + 1]));
            assertThat(p.probabilities().get("bad")).as(line).isEqualTo(Double.parseDouble(cells[prediction + 2]));
        }
    }

    /** Bundles written before format 1.3 load without a calibration: performance estimation says it is unavailable. */
    @ParameterizedTest
    @ValueSource(strings = {"format-1.0/credit-linear", "format-1.2/credit-gbdt"})
    void savedBundleBefore13HasNoCalibration(String name) throws URISyntaxException {
        Path bundle = Path.of(getClass().getResource("/bundles/" + name + "/manifest.json").toURI()).getParent();
        KilnModel model = KilnModel.load(bundle);
        assertThat(model.bundle().calibration()).isNull();
        assertThat(model.manifest().files()).doesNotContainKey(dev.kiln.runtime.bundle.BundleManifest.CALIBRATION_FILE);
    }

    /** From format 1.2 a bundle explains its predictions as it did when written ({@code kiln predict --explain}), to 1e-12. */
    @ParameterizedTest
    @ValueSource(strings = {"format-1.2/credit-gbdt", "format-1.2/credit-linear", "format-1.2/credit-tree",
            "format-1.2/credit-forest"})
    void savedBundleStillExplainsTheSame(String name) throws IOException, URISyntaxException {
        Path bundle = Path.of(getClass().getResource("/bundles/" + name + "/manifest.json").toURI()).getParent();
        KilnModel model = KilnModel.load(bundle);
        assertThat(model.explainable()).isTrue();
        List<String> lines = Files.readAllLines(bundle.resolveSibling(bundle.getFileName() + ".expected.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        int prediction = header.indexOf("prediction");
        int base = header.indexOf("explanation_base");
        assertThat(base).as("the expected file has explanations").isPositive();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Object> row = new HashMap<>();
            for (int j = 0; j < prediction; j++) {
                row.put(header.get(j), cells[j]);
            }
            Explanation e = model.explain(row);
            assertThat(e.outputs()).containsExactly("bad");
            double margin = e.margin(0);
            double pBad = e.space().equals("log_odds") ? 1 / (1 + Math.exp(-margin)) : margin;
            assertThat(pBad).as(line + ": base + contributions, through the link")
                    .isCloseTo(model.predict(row).probabilities().get("bad"), org.assertj.core.data.Offset.offset(1e-6));
            // To 1e-12, not bit for bit: TreeSHAP's arithmetic may be reordered for speed (predictions stay exact).
            org.assertj.core.data.Offset<Double> rounding = org.assertj.core.data.Offset.offset(1e-12);
            assertThat(e.base()).as(line).isCloseTo(Double.parseDouble(cells[base]), rounding);
            for (Map.Entry<String, Double> c : e.contributions().entrySet()) {
                assertThat(c.getValue()).as(line + ": " + c.getKey())
                        .isCloseTo(Double.parseDouble(cells[header.indexOf("contribution_" + c.getKey())]), rounding);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"format-1.0/credit-gbdt", "format-1.0/credit-linear", "format-1.0/credit-tree"})
    void olderBundlesScoreButSayWhyTheyCannotExplain(String name) throws URISyntaxException {
        Path bundle = Path.of(getClass().getResource("/bundles/" + name + "/manifest.json").toURI()).getParent();
        KilnModel model = KilnModel.load(bundle);
        assertThat(model.explainable()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.explain(Map.of()))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPLANATION_UNAVAILABLE))
                .hasMessageContaining("format 1.0").hasMessageContaining("retrain");
    }
}
