package dev.kiln.store;

/** A run's lifecycle. A run whose process died while RUNNING is reaped to KILLED. */
public enum RunStatus {
    RUNNING, FINISHED, FAILED, KILLED;

    public boolean isTerminal() {
        return this != RUNNING;
    }
}
