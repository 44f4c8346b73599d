package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The store contract on SQLite under a temporary Kiln home, plus what is SQLite-specific. */
class SqliteStoreTest extends StoreContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }

    @Test
    void theDefaultStoreIsASqliteFileInWalModeWithABusyTimeoutAndForeignKeys() {
        assertThat(store.url()).isEqualTo("jdbc:sqlite:" + home.toAbsolutePath().normalize().resolve("kiln.db"));
        assertThat(Files.isRegularFile(home.resolve("kiln.db"))).isTrue();
        assertThat(store.home()).isEqualTo(home.toAbsolutePath().normalize());
        store.db().read(c -> {
            assertThat(Db.one(c, "PRAGMA journal_mode", rs -> rs.getString(1)).orElseThrow()).isEqualToIgnoringCase("wal");
            assertThat(Db.one(c, "PRAGMA busy_timeout", rs -> rs.getInt(1)).orElseThrow()).isGreaterThanOrEqualTo(10_000);
            assertThat(Db.one(c, "PRAGMA foreign_keys", rs -> rs.getInt(1)).orElseThrow()).isEqualTo(1);
            return null;
        });
    }
}
