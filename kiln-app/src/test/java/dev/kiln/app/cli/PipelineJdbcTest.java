package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln.yaml's {@code data: jdbc:...} with {@code query:}: the query's rows become the dataset version the model learns from. */
class PipelineJdbcTest {
    @TempDir
    Path dir;

    @Test
    void aQueryIsIngestedAsADatasetVersionAndANewRowMakesANewOne() throws Exception {
        Path db = dir.resolve("loans.db");
        String url = "jdbc:sqlite:" + db;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE loans (x1 REAL, x2 REAL, y TEXT)");
            insert(c, 0, 300);
        }
        Path file = dir.resolve("kiln.yaml");
        Files.writeString(file, """
                name: loans
                data: %s
                query: SELECT x1, x2, y FROM loans ORDER BY rowid
                target: y
                train:
                  algorithms: [baseline, linear]
                """.formatted(url));
        Path home = dir.resolve(".kiln");
        CliRun first = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString(), "--json");
        assertThat(first.exitCode()).as(first.err() + first.out()).isZero();
        JsonNode ingest = BadInputTest.json(first.out()).get("stages").get(0);
        assertThat(ingest.get("message").asText()).contains("dataset loans@", "from jdbc:sqlite:");
        CliRun again = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString(), "--json");
        assertThat(BadInputTest.json(again.out()).get("stages").get(2).get("status").asText()).as("same rows: train skipped")
                .isEqualTo("skipped");
        try (Connection c = DriverManager.getConnection(url)) {
            insert(c, 300, 400);
        }
        CliRun third = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString(), "--json");
        assertThat(third.exitCode()).as(third.err() + third.out()).isZero();
        assertThat(BadInputTest.json(third.out()).get("stages").get(2).get("status").asText()).isEqualTo("ran");
        CliRun versions = CliRun.of("data", "versions", "loans", "--home", home.toString(), "--json");
        assertThat(BadInputTest.json(versions.out())).hasSize(2);
    }

    private static void insert(Connection c, int from, int to) throws Exception {
        Random r = new Random(from);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO loans VALUES (?, ?, ?)")) {
            for (int i = from; i < to; i++) {
                double x1 = r.nextGaussian();
                ps.setDouble(1, x1);
                ps.setDouble(2, r.nextGaussian());
                ps.setString(3, x1 + 0.3 * r.nextGaussian() > 0 ? "good" : "bad");
                ps.executeUpdate();
            }
        }
    }
}
