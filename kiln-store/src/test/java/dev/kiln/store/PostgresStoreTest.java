package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL: one embedded server for the test JVM (PostgresDatabases) (zonky; as root it runs initdb and
 * postgres under {@code unshare -U}, where root maps to an unprivileged user), a fresh database per test.
 */
@Tag("slow")
class PostgresStoreTest extends StoreContract {
    @Override
    String newDatabaseUrl() throws Exception {
        return PostgresDatabases.fresh("kiln");
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
