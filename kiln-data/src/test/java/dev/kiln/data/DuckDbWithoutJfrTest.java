package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * DuckDB's driver runs with Kiln's {@code org.duckdb.JfrMemoryMonitor} (kiln-data's, which the class path and the
 * shaded jar give before the driver's own), so opening a database does not start Java Flight Recorder.
 */
class DuckDbWithoutJfrTest {
    @Test
    void theDriverUsesKilnsMonitorAndNeverRegistersItsJfrEvent() throws Exception {
        Class<?> monitor = Class.forName("org.duckdb.JfrMemoryMonitor");
        assertThat(monitor.getProtectionDomain().getCodeSource().getLocation())
                .isEqualTo(DuckDbReader.class.getProtectionDomain().getCodeSource().getLocation());

        try (Connection c = DuckDbReader.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 40 + 2")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }

        // The driver's own monitor sets this once it has registered its periodic JFR event.
        Field initialized = Class.forName("org.duckdb.DuckDBMemoryMonitor").getDeclaredField("initialized");
        initialized.setAccessible(true);
        assertThat(initialized.getBoolean(null)).isFalse();
    }
}
