package dev.kiln.train.search;

/** Told of each trial as it ends (for progress, and to record it as a child run). */
@FunctionalInterface
public interface TrialListener {
    TrialListener NONE = trial -> { };

    void onTrial(Trial trial);
}
