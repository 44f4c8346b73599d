package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI with its tracking and registry in a real PostgreSQL server (--store), not SQLite. */
@Tag("slow")
class PostgresCliTest {
    private static EmbeddedPostgres pg;

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void trainRegisterPromoteAndTraceOnPostgresql() throws IOException {
        String url = pg.getJdbcUrl("postgres", "postgres");
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--store", url, "--data", data.toString(),
                "--target", "class", "--algorithms", "linear", "--register", "pg-credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(BadInputTest.json(train.out()).get("registered").get("version").asInt()).isEqualTo(1);

        CliRun promote = CliRun.of("models", "alias", "pg-credit", "production", "1", "--home", home.toString(), "--store", url);
        assertThat(promote.exitCode()).as(promote.err()).isZero();
        JsonNode shown = BadInputTest.json(CliRun.of("models", "show", "pg-credit", "--home", home.toString(), "--store", url, "--json").out());
        assertThat(shown.get("name").asText()).isEqualTo("pg-credit");
        assertThat(shown.get("version").asInt()).isEqualTo(1);
        CliRun lineage = CliRun.of("lineage", "pg-credit", "--home", home.toString(), "--store", url);
        assertThat(lineage.out()).contains("-> model  pg-credit:1", "alias  production");
        assertThat(Files.exists(home.resolve("kiln.db"))).as("nothing went to the default SQLite store").isFalse();
    }
}
