package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL: one embedded server for the class (zonky; as root it runs initdb and
 * postgres under {@code unshare -U}, where root maps to an unprivileged user), a fresh database per test.
 */
@Tag("slow")
class PostgresStoreTest extends StoreContract {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    String newDatabaseUrl() throws Exception {
        String name = "kiln_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    @Test
    void runsOnPostgresqlAndNeverShowsThePassword() {
        assertThat(url).startsWith("jdbc:postgresql://").contains("?user=");
        assertThat(store.url()).isEqualTo(url);
        String version = store.db().read(c -> Db.one(c, "SELECT version()", rs -> rs.getString(1)).orElseThrow());
        assertThat(version).startsWith("PostgreSQL 18");
        try (KilnStore withPassword = KilnStore.open(home, url + "&password=hunter2")) {
            assertThat(withPassword.url()).isEqualTo(url);
        }
    }
}
