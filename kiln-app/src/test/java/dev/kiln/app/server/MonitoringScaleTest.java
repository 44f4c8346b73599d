package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring API on a big log: 48 hours of 5,000 requests (240,000 rows, half of them labelled), past the
 * 100,000-row cap. Prints the server's own timings (elapsed_ms) of a first and of later requests.
 */
@Tag("slow")
class MonitoringScaleTest {
    @TempDir
    Path home;
    @TempDir
    Path logs;

    @Test
    void aBigLogAnswersWithinSecondsAndSaysWhereItStopped() {
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        long written = System.nanoTime();
        MonitoredModel.writeLog(logs, "credit", start, 48, 5_000);
        System.out.printf("wrote 240,000 rows in %d ms%n", (System.nanoTime() - written) / 1_000_000);
        try (TestServer s = TestServer.start(home, MonitoringSources.of(List.of(logs)))) {
            s.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "first");
            s.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "second");
            String range = "&from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z";
            for (String window : List.of("hour", "hour", "day", "hour")) {
                long t0 = System.nanoTime();
                TestServer.Res r = s.get("/api/models/credit/monitoring?window=" + window + range, null);
                long wall = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                JsonNode m = r.json();
                System.out.printf("window=%s rows=%d windows=%d elapsed_ms=%d wall_ms=%d bytes=%d%n", window, m.get("rows").asLong(),
                        m.get("windows").size(), m.get("elapsed_ms").asLong(), wall, r.body().length());
                assertThat(m.get("rows").asLong()).isEqualTo(MonitoringRoutes.MAX_ROWS);
                assertThat(m.get("truncated_at").asText()).as("5,000 rows an hour").isEqualTo(start.plus(java.time.Duration.ofHours(
                        MonitoringRoutes.MAX_ROWS / 5_000)).toString());
                assertThat(m.get("notes").toString()).contains(String.format(java.util.Locale.ROOT, "stopped after %,d rows",
                        MonitoringRoutes.MAX_ROWS));
                assertThat(wall).as("a page on a big log answers within seconds (a loaded 2-core machine)").isLessThan(30_000);
            }
        }
    }
}
