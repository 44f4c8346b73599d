package dev.kiln.monitor.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BucketsTest {
    static long ms(String t) {
        return Instant.parse(t).toEpochMilli();
    }

    @Test
    void calendarQuartersStartInJanuaryAprilJulyAndOctober() {
        Buckets q = Buckets.parse("3mo", "--window");
        assertThat(q.label()).isEqualTo("3mo");
        assertThat(q.start(ms("2014-02-15T10:00:00Z"))).isEqualTo(ms("2014-01-01T00:00:00Z"));
        assertThat(q.start(ms("2014-04-01T00:00:00Z"))).isEqualTo(ms("2014-04-01T00:00:00Z"));
        assertThat(q.start(ms("2014-12-31T23:59:59Z"))).isEqualTo(ms("2014-10-01T00:00:00Z"));
        assertThat(q.end(ms("2014-10-01T00:00:00Z"))).isEqualTo(ms("2015-01-01T00:00:00Z"));
        assertThat(q.start(ms("1969-11-20T00:00:00Z"))).isEqualTo(ms("1969-10-01T00:00:00Z"));
        Buckets month = Buckets.parse("1mo", "--window");
        assertThat(month.end(month.start(ms("2016-02-10T00:00:00Z")))).isEqualTo(ms("2016-03-01T00:00:00Z"));
    }

    @Test
    void weeksStartOnMondaysInUtc() {
        Buckets w = new Buckets.Weeks();
        assertThat(w.label()).isEqualTo("1w");
        // 2026-11-23 is a Monday
        assertThat(w.start(ms("2026-11-23T00:00:00Z"))).isEqualTo(ms("2026-11-23T00:00:00Z"));
        assertThat(w.start(ms("2026-11-29T23:59:59Z"))).isEqualTo(ms("2026-11-23T00:00:00Z"));
        assertThat(w.start(ms("2026-11-30T00:00:00Z"))).isEqualTo(ms("2026-11-30T00:00:00Z"));
        assertThat(w.end(ms("2026-11-23T00:00:00Z"))).isEqualTo(ms("2026-11-30T00:00:00Z"));
        assertThat(w.start(ms("1970-01-01T00:00:00Z"))).isEqualTo(ms("1969-12-29T00:00:00Z"));
    }

    @Test
    void fixedWidthsCountFromTheEpoch() {
        Buckets d = Buckets.parse("1d", "--window");
        assertThat(d.start(ms("2014-02-15T10:00:00Z"))).isEqualTo(ms("2014-02-15T00:00:00Z"));
        assertThat(d.end(ms("2014-02-15T00:00:00Z"))).isEqualTo(ms("2014-02-16T00:00:00Z"));
        assertThat(Buckets.parse("90m", "--window").label()).isEqualTo("90m");
        assertThat(Buckets.parse("48h", "--window").label()).isEqualTo("2d");
    }

    @Test
    void monthsThatDoNotDivideAYearAreRefused() {
        assertThatThrownBy(() -> Buckets.parse("5mo", "--window")).hasMessageContaining("--window '5mo'");
        assertThatThrownBy(() -> Buckets.parse("0mo", "--window")).hasMessageContaining("divide a year");
        assertThat(Buckets.parse("12mo", "--window").label()).isEqualTo("12mo");
        // Built directly, zero months divided by zero later (ArithmeticException).
        assertThatThrownBy(() -> new Buckets.Months(0)).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("at least 1mo");
    }
}
