package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 rewrote reading, profiling, sketching and encoding for speed, and promised the same results bit for bit.
 * The files under {@code before-after/} were written by the kiln.jar of commit 86b20d0, before that work: profiles of
 * the shipped datasets and of a 5,000-row file (past the sketches' exact mode), a drift report, the test metrics of
 * a small search, and the chosen model's predictions. Each is compared exactly (doubles as written), paths aside,
 * after the one change made on purpose since ({@link #inTheFilesWords(JsonNode)}: a yes/no feature shown as yes/no).
 */
class SameResultsAsBeforeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void profilesAreTheSame() throws IOException {
        for (String[] c : new String[][] {{"dev/kiln/app/quickstart/credit-g.csv", "profile-credit-g.json"}, {"before-after/seattle-weather.csv",
            "profile-seattle-weather.json"}, {"before-after/ref.csv", "profile-ref.json"}}) {
            CliRun run = CliRun.of("data", "profile", copy(c[0]).toString(), "--json");
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode now = JSON.readTree(run.out());
            ((ObjectNode) now).remove("source");
            assertThat(now).as(c[0]).isEqualTo(inTheFilesWords(expected(c[1])));
        }
    }

    @Test
    void driftIsTheSame() throws IOException {
        CliRun run = CliRun.of("drift", "--reference", copy("before-after/ref.csv").toString(),
                "--current", copy("before-after/cur.csv").toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode now = JSON.readTree(run.out());
        ((ObjectNode) now.path("current")).remove("path");
        ((ObjectNode) now.path("reference")).remove("path");
        assertThat(now.path("features").get(0).path("ks_method").asText()).as("past the exact mode").contains("sketch");
        assertThat(now).isEqualTo(expected("drift-ref-cur.json"));
    }

    @Test
    void modelsAreTheSame() throws IOException {
        Path data = copy("dev/kiln/app/quickstart/credit-g.csv");
        Path home = dir.resolve("home");
        CliRun train = CliRun.of("train", "--data", data.toString(), "--target", "class", "--algorithms", "linear,tree,gbdt",
                "--configurations", "2", "--home", home.toString(), "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        JsonNode report = JSON.readTree(train.out());
        Map<String, JsonNode> metrics = new TreeMap<>();
        for (JsonNode row : report.path("leaderboard")) {
            metrics.put(row.path("algorithm").asText(), row.path("testMetrics"));
        }
        JsonNode expected = expected("train-test-metrics.json");
        for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
            String algorithm = names.next();
            assertThat(metrics.get(algorithm)).as(algorithm).isEqualTo(expected.get(algorithm));
        }

        Path predictions = dir.resolve("predictions.csv");
        CliRun predict = CliRun.of("predict", "--model", report.path("bundle").asText(), "--input", data.toString(),
                "--output", predictions.toString());
        assertThat(predict.exitCode()).as(predict.err()).isZero();
        assertThat(Files.readString(predictions)).isEqualTo(inTheFilesWords(text("before-after/predictions-credit-g.csv")));
    }

    /**
     * One change made on purpose since 86b20d0: a boolean feature is shown in the words its file writes it in (credit-g's
     * foreign_worker is yes/no), where 86b20d0 wrote true/false. In a profile that is the boolean columns' top values.
     */
    private static JsonNode inTheFilesWords(JsonNode profile) {
        for (JsonNode column : profile.path("columns")) {
            if (column.path("name").asText().equals("foreign_worker")) {
                for (JsonNode top : column.path("topCategories")) {
                    ((ObjectNode) top).put("value", top.path("value").asText().equals("true") ? "yes" : "no");
                }
            }
        }
        return profile;
    }

    /** In the predictions, the copied input column foreign_worker (the 20th), as in {@link #inTheFilesWords(JsonNode)}. */
    private static String inTheFilesWords(String predictions) {
        StringBuilder out = new StringBuilder();
        for (String line : predictions.split("\n", -1)) {
            String[] cells = line.split(",", -1);
            if (cells.length > 19 && (cells[19].equals("true") || cells[19].equals("false"))) {
                cells[19] = cells[19].equals("true") ? "yes" : "no";
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private Path copy(String resource) throws IOException {
        Path out = dir.resolve(resource.replace('/', '-'));
        try (InputStream in = stream(resource)) {
            Files.copy(in, out);
        }
        return out;
    }

    private static JsonNode expected(String name) throws IOException {
        try (InputStream in = stream("before-after/" + name)) {
            return JSON.readTree(in);
        }
    }

    private static String text(String resource) throws IOException {
        try (InputStream in = stream(resource)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static InputStream stream(String resource) {
        InputStream in = SameResultsAsBeforeTest.class.getClassLoader().getResourceAsStream(resource);
        assertThat(in).as(resource).isNotNull();
        return in;
    }
}
