package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A query's rows as RFC 4180 CSV, against SQLite. */
class JdbcQueryTest {
    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void database() throws Exception {
        url = "jdbc:sqlite:" + dir.resolve("shop.db");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id INTEGER, customer TEXT, amount REAL, note TEXT)");
            s.execute("INSERT INTO orders VALUES (1, 'Smith, John', 10.5, 'said \"hi\"'), (2, 'Ann', NULL, 'two\nlines'),"
                    + " (3, ' padded ', 3, NULL)");
        }
    }

    @Test
    void writesHeaderQuotedFieldsAndNullAsEmptyThatTheReaderReadsBack() throws Exception {
        Path out = dir.resolve("out/orders.csv");
        JdbcQuery.Result r = JdbcQuery.toCsv(url, "SELECT id, customer, amount, note FROM orders ORDER BY id", out);
        assertThat(r.rows()).isEqualTo(3);
        assertThat(r.columns()).containsExactly("id", "customer", "amount", "note");
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo("id,customer,amount,note\r\n"
                + "1,\"Smith, John\",10.5,\"said \"\"hi\"\"\"\r\n"
                + "2,Ann,,\"two\nlines\"\r\n"
                + "3,\" padded \",3.0,\r\n");
        DataFrame df = DataReader.read(out);
        assertThat(df.rowCount()).isEqualTo(3);
        assertThat(df.column("amount").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(((StringColumn) df.column("customer")).value(0)).isEqualTo("Smith, John");
        assertThat(((StringColumn) df.column("note")).value(1)).isEqualTo("two\nlines");
        assertThat(((StringColumn) df.column("note")).value(2)).isNull();
    }

    @Test
    void aBadQueryNamesTheUrlAndTheProblemAndLeavesNoFile() throws Exception {
        Path out = dir.resolve("o.csv");
        assertKiln(() -> JdbcQuery.toCsv(url, "SELECT nope FROM orders", out), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining(url).hasMessageContaining("nope");
        assertKiln(() -> JdbcQuery.toCsv(url, "SELECT * FROM orders WHERE id > 99", out), ErrorCode.DATA_EMPTY)
                .hasMessageContaining("no rows");
        assertThat(out).doesNotExist();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
        assertKiln(() -> JdbcQuery.toCsv("jdbc:nosuchdb://h/x?password=secret", "SELECT 1", out), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("no JDBC driver").satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        assertKiln(() -> JdbcQuery.toCsv(url, " ", out), ErrorCode.INVALID_ARGUMENT).hasMessageContaining("query");
    }

    @Test
    void urlsAreShownWithoutPasswords() {
        assertThat(JdbcQuery.withoutPassword("jdbc:postgresql://db/x?user=k&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/x?user=k&ssl=true");
        assertThat(JdbcQuery.withoutPassword("jdbc:postgresql://db/x?password=hunter2")).isEqualTo("jdbc:postgresql://db/x");
        assertThat(JdbcQuery.withoutPassword("jdbc:postgresql://k:hunter2@db/x")).isEqualTo("jdbc:postgresql://k@db/x");
        assertThat(JdbcQuery.withoutPassword("jdbc:sqlserver://db;user=k;password=hunter2;db=x"))
                .isEqualTo("jdbc:sqlserver://db;user=k;db=x");
        assertThat(List.of(JdbcQuery.withoutPassword(url))).containsExactly(url);
    }
}
