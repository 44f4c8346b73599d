package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * A reader that keeps its snapshot stops SQLite from rewinding its log, which then grows with every write; once
     * the reader lets go, the store empties the log at its next check instead of leaving a file of that size behind.
     */
    @Test
    void theWriteAheadLogIsTrimmedOnceReadersLetGo() throws Exception {
        store.db().walLimitBytes(1 << 20);
        Path wal = home.resolve("kiln.db-wal");
        Run run = tracking.startRun("credit", null, "busy", Map.of());
        Map<String, Double> metrics = new HashMap<>();
        int step = 0;
        long pinned;
        try (java.sql.Connection reader = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("kiln.db"))) {
            reader.setAutoCommit(false);
            try (java.sql.Statement st = reader.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM runs")) {
                assertThat(rs.next()).isTrue();
                for (; step < 600; step++) {
                    for (int m = 0; m < 20; m++) {
                        metrics.put("m" + m, step + m / 100.0);
                    }
                    tracking.logMetrics(run.id(), metrics, step);
                }
            }
            pinned = Files.size(wal);
            reader.rollback();
        }
        for (; step < 900; step++) {
            metrics.put("m0", (double) step);
            tracking.logMetrics(run.id(), metrics, step);
        }
        assertThat(pinned).as("the log while a reader held its snapshot").isGreaterThan(4L << 20);
        assertThat(Files.size(wal)).as("the log after the reader let go (was %d bytes)", pinned).isLessThan(pinned / 2);
        assertThat(tracking.run(run.id()).orElseThrow().latestMetrics()).containsEntry("m0", 899.0);
    }
}
