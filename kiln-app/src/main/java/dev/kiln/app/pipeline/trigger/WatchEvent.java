package dev.kiln.app.pipeline.trigger;

import dev.kiln.store.PipelineLocks;
import java.time.Duration;
import java.time.Instant;

/** What a watcher reports as it goes, for the CLI to print or a test to check. */
public sealed interface WatchEvent {
    Instant at();

    /** A trigger arrived and is queued for the next run. */
    record Fired(Instant at, Trigger trigger) implements WatchEvent {
    }

    /** Triggers wait because another run holds the pipeline's lock. */
    record Waiting(Instant at, PipelineLocks.Holder holder, int queued) implements WatchEvent {
    }

    /** A run started for {@code trigger} (coalescing all queued ones). */
    record Started(Instant at, Trigger trigger) implements WatchEvent {
    }

    /** The run ended. */
    record Finished(Instant at, Trigger trigger, LaunchOutcome outcome, Duration took) implements WatchEvent {
    }

    /** Something to tell the user that is not a trigger: a data source gone, a lease lost, a store error. */
    record Problem(Instant at, String message) implements WatchEvent {
    }

    /** The watch stopped; the lock is released unless the run did not stop in time. */
    record Stopped(Instant at, int queued) implements WatchEvent {
    }
}
