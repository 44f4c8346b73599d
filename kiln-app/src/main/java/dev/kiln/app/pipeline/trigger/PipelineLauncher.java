package dev.kiln.app.pipeline.trigger;

/**
 * Runs the pipeline once, for {@code trigger}, and returns when the run has ended. The watcher calls it with the
 * pipeline's lock held, on its own thread, which it interrupts when the watch stops. A KilnException (or any
 * runtime exception) counts as a failed run; the watch goes on.
 */
@FunctionalInterface
public interface PipelineLauncher {
    LaunchOutcome launch(Trigger trigger);
}
