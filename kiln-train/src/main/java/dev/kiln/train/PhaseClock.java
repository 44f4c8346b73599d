package dev.kiln.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a training run's time goes: each phase's wall time, and the time inside each candidate's fits (its search
 * trials and its refit). Phases are laps of one clock, so they never overlap and add up to at most the run's total;
 * the clock is injected (nanoseconds, as {@link System#nanoTime}) so tests need not wait.
 */
final class PhaseClock {
    private final LongSupplier nanos;
    private final long start;
    private long lap;
    private final Map<String, Long> phases = new LinkedHashMap<>();
    private final Map<String, Long> fits = new LinkedHashMap<>();

    PhaseClock(LongSupplier nanos) {
        this.nanos = nanos;
        this.start = nanos.getAsLong();
        this.lap = start;
    }

    static PhaseClock system() {
        return new PhaseClock(System::nanoTime);
    }

    /** Adds the time since the last lap to {@code phase}, and starts the next lap. */
    void lap(String phase) {
        long now = nanos.getAsLong();
        phases.merge(phase, now - lap, Long::sum);
        lap = now;
    }

    /** Adds the time since the last lap to the fits of {@code candidate}, and starts the next lap. */
    void lapFit(String candidate) {
        long now = nanos.getAsLong();
        fits.merge(candidate, now - lap, Long::sum);
        lap = now;
    }

    /**
     * The phases and fits so far, in whole milliseconds (each rounded down, so they add up to at most the total), and
     * the total since the clock started.
     */
    TrainingReport.Timings timings() {
        long now = nanos.getAsLong();
        Map<String, Long> fitMs = new LinkedHashMap<>();
        fits.forEach((k, v) -> fitMs.put(k, ms(v)));
        return new TrainingReport.Timings(ms(phases.get(TrainingReport.Timings.READ)),
                ms(phases.get(TrainingReport.Timings.PROFILE)), ms(phases.get(TrainingReport.Timings.TARGET_AND_SPLITS)),
                ms(phases.get(TrainingReport.Timings.ENCODE)), fitMs,
                ms(phases.get(TrainingReport.Timings.ENSEMBLE_AND_CALIBRATION)),
                ms(phases.get(TrainingReport.Timings.EVALUATE)), ms(phases.get(TrainingReport.Timings.BUNDLE)),
                ms(now - start));
    }

    private static long ms(Long nanos) {
        return nanos == null ? 0 : Math.max(0, nanos) / 1_000_000;
    }
}
