package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Finding runs on SQLite under a temporary Kiln home. */
class SqliteRunSearchTest extends RunSearchContract {
    @Override
    String newDatabaseUrl() {
        return null;
    }

    /** A store migrated with every migration but V6 (which came later to main) takes V6 when opened, out of order. */
    @Test
    void aStoreMigratedPastSixWithoutItTakesItLate() throws Exception {
        Path scripts = Files.createDirectories(home.resolve("without-v6"));
        for (String version : KilnStore.MIGRATIONS) {
            if (version.equals("6")) {
                continue;
            }
            String name = migrationFile(version);
            try (InputStream in = KilnStore.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
                Files.copy(in, scripts.resolve(name));
            }
        }
        String url = "jdbc:sqlite:" + home.resolve("late.db");
        Flyway.configure().dataSource(url, null, null).locations("filesystem:" + scripts)
                .placeholders(Map.of("id", "INTEGER PRIMARY KEY AUTOINCREMENT")).load().migrate();
        try (KilnStore late = KilnStore.open(home.resolve("late-home"), url)) {
            Run r = late.tracking().startRun("e", null, "late", Map.of());
            late.tracking().logMetric(r.id(), "auc", 0.9, 0);
            assertThat(late.tracking().search(RunSearch.all().withFilter(RunFilter.parse("metrics.auc > 0.5"))).total()).isEqualTo(1);
            assertThat(StoreContract.migrations(late)).containsAll(KilnStore.MIGRATIONS);
        }
    }

    private static String migrationFile(String version) throws Exception {
        Path dir = Path.of(KilnStore.class.getClassLoader().getResource("db/migration/V1__tracking_and_registry.sql").toURI()).getParent();
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("V" + version + "__")).toList();
            assertThat(names).hasSize(1);
            return names.get(0);
        }
    }
}
