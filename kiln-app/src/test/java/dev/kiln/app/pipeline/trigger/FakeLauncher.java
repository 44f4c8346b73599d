package dev.kiln.app.pipeline.trigger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A launcher for tests: records each trigger; when blocking, each launch waits for {@link #finishOne()} (or an
 * interrupt, which it records); counts launches that overlap.
 */
final class FakeLauncher implements PipelineLauncher {
    final List<Trigger> launched = new CopyOnWriteArrayList<>();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();
    private final Semaphore finish = new Semaphore(0);
    private final boolean blocking;
    volatile RuntimeException failWith;

    FakeLauncher(boolean blocking) {
        this.blocking = blocking;
    }

    void finishOne() {
        finish.release();
    }

    @Override
    public LaunchOutcome launch(Trigger trigger) {
        if (active.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
        }
        try {
            launched.add(trigger);
            if (blocking && !finish.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never finished launch " + launched.size());
            }
            if (failWith != null) {
                throw failWith;
            }
            return LaunchOutcome.succeeded("run-" + launched.size(), "ok");
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            Thread.currentThread().interrupt();
            return LaunchOutcome.failed(null, "interrupted");
        } finally {
            active.decrementAndGet();
        }
    }
}
