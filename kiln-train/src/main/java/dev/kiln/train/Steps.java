package dev.kiln.train;

/** Progress through training's steps: one per candidate plus reading, splitting, evaluating and writing. */
final class Steps {
    private final ProgressListener progress;
    private final int total;
    private int done;

    Steps(ProgressListener progress, int total) {
        this.progress = progress;
        this.total = total;
    }

    void next(String what) {
        progress.onStep(what, Math.min(done++, total - 1), total);
    }

    /** Progress within the current step, without moving to the next (a search's trials). */
    void within(String what) {
        progress.onStep(what, Math.max(0, Math.min(done - 1, total - 1)), total);
    }

    int total() {
        return total;
    }
}
