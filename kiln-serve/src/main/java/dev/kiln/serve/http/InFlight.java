package dev.kiln.serve.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The requests being handled now (every route but {@code /metrics}), for a graceful stop. */
public final class InFlight {
    private final AtomicInteger count = new AtomicInteger();

    public void begin() {
        count.incrementAndGet();
    }

    /** One request fewer in flight (wakes {@link #awaitIdle} waiters at zero). */
    public void done() {
        if (count.decrementAndGet() == 0) {
            synchronized (count) {
                count.notifyAll();
            }
        }
    }

    public int get() {
        return count.get();
    }

    /** Waits until no request is in flight, or {@code grace} has passed; false when the grace ran out first. */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (count) {
            while (count.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(count, left);
            }
        }
        return true;
    }
}
