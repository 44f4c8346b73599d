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
    @ValueSource(strings = {"format-1.0/credit-gbdt", "format-1.0/credit-linear", "format-1.0/credit-tree"})
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
}
