package dev.kiln.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which version a monitoring check measures: the one answering most of the window's last rows. */
class MonitoringServingVersionTest {
    static String[] ring(String... versions) {
        String[] recent = new String[Monitoring.RECENT_ROWS];
        System.arraycopy(versions, 0, recent, 0, versions.length);
        return recent;
    }

    @Test
    void aCanaryAnsweringTheLastRowIsNotTakenForTheModel() {
        String[] recent = new String[Monitoring.RECENT_ROWS];
        for (int i = 0; i < recent.length; i++) {
            recent[i] = i % 10 == 9 ? "7" : "6"; // a 10% canary
        }
        assertThat(Monitoring.serving(recent, "7")).isEqualTo("6");
    }

    @Test
    void aVersionAnAliasMovedToTakesOverOnceItAnswersMost() {
        assertThat(Monitoring.serving(ring("1", "1", "1", "2", "2"), "2")).isEqualTo("1");
        assertThat(Monitoring.serving(ring("1", "1", "2", "2", "2"), "2")).isEqualTo("2");
        assertThat(Monitoring.serving(ring("1", "1", "2", "2"), "2")).as("a tie goes to the last").isEqualTo("2");
        assertThat(Monitoring.serving(ring("1"), "1")).isEqualTo("1");
    }
}
