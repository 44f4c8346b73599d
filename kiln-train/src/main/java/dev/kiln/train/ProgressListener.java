package dev.kiln.train;

/** Told about each step of a training run, so a CLI can draw a progress bar. */
public interface ProgressListener {
    ProgressListener NONE = (step, done, total) -> { };

    void onStep(String step, int done, int total);
}
