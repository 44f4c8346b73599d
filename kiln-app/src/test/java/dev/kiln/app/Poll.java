package dev.kiln.app;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waiting in tests for something another thread does (a registry poll, a file re-read): probe an explicit
 * condition until it holds or a deadline passes, and hand back the last value seen for the test to assert on.
 * Never a fixed sleep followed by an assertion.
 */
public final class Poll {
    private static final Duration INTERVAL = Duration.ofMillis(50);

    private Poll() {
    }

    /** Calls {@code probe} until {@code done} accepts its value or {@code timeout} passes; returns the last value. */
    public static <T> T until(Callable<T> probe, Predicate<? super T> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = probe.call();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(INTERVAL.toMillis());
            value = probe.call();
        }
        return value;
    }
}
