package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln data ingest} from a PostgreSQL query: PostgreSQL's types as text Kiln reads back with their types. */
@Tag("slow")
class PostgresDataIngestTest {
    private static EmbeddedPostgres pg;

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INTEGER, paid BOOLEAN, at TIMESTAMPTZ, day DATE, amount NUMERIC(10,2), "
                    + "note TEXT)");
            s.execute("INSERT INTO orders VALUES (1, true, '2024-03-01 12:00:00+01', '2024-03-01', 10.50, 'a, b'),"
                    + " (2, false, '2024-03-02 00:00:00+00', '2024-03-02', NULL, NULL)");
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aQueryIsStoredAsCsvThatReadsBackTyped() throws Exception {
        String url = pg.getJdbcUrl("postgres", "postgres") + "&password=hunter2";
        CliRun ingest = CliRun.of("data", "ingest", "orders", url, "--query", "SELECT * FROM orders ORDER BY id",
                "--home", home.toString(), "--json");
        assertThat(ingest.exitCode()).as(ingest.err()).isZero();
        assertThat(ingest.out()).doesNotContain("hunter2");
        JsonNode record = Json.mapper().readTree(ingest.out());
        Path stored = Path.of(record.get("path").asText());
        assertThat(Files.readString(stored)).isEqualTo("id,paid,at,day,amount,note\r\n"
                + "1,true,2024-03-01T11:00:00Z,2024-03-01,10.50,\"a, b\"\r\n"
                + "2,false,2024-03-02T00:00:00Z,2024-03-02,,\r\n");
        DataFrame df = DataReader.read(stored);
        assertThat(df.column("paid").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(df.column("at").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(df.column("day").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(df.column("amount").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.sha256()).isEqualTo(record.get("version").asText());

        CliRun bad = CliRun.of("data", "ingest", "orders", url, "--query", "SELECT nope FROM orders", "--home", home.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("nope").doesNotContain("hunter2");
    }
}
