package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PhaseClockTest {
    private static final long MS = 1_000_000;

    @Test
    void phasesAreLapsOfOneClockAndFitsAddUpByCandidate() {
        AtomicLong now = new AtomicLong(5 * MS);
        PhaseClock clock = new PhaseClock(now::get);
        now.addAndGet(100 * MS);
        clock.lap(TrainingReport.Timings.READ);
        now.addAndGet(7 * MS + MS / 2);
        clock.lap(TrainingReport.Timings.ENCODE);
        now.addAndGet(300 * MS);
        clock.lapFit("gbdt");
        now.addAndGet(2 * MS);
        clock.lap(TrainingReport.Timings.ENCODE);
        now.addAndGet(40 * MS);
        clock.lapFit("linear");
        now.addAndGet(10 * MS);
        clock.lapFit("gbdt");
        now.addAndGet(MS / 2);

        TrainingReport.Timings t = clock.timings();
        assertThat(t.read()).isEqualTo(100);
        assertThat(t.encode()).as("both encodings, rounded down once").isEqualTo(9);
        assertThat(t.fit()).containsExactly(java.util.Map.entry("gbdt", 310L), java.util.Map.entry("linear", 40L));
        assertThat(t.profile()).as("a phase that did not run").isZero();
        assertThat(t.total()).isEqualTo(460);
        assertThat(t.outsideFits() + t.fits()).isLessThanOrEqualTo(t.total());
    }
}
