package dev.kiln.app.pipeline.trigger;

/** How a launched pipeline run ended: whether it succeeded, its run id when it got one, and a line about it. */
public record LaunchOutcome(boolean succeeded, String runId, String summary) {
    public static LaunchOutcome succeeded(String runId, String summary) {
        return new LaunchOutcome(true, runId, summary);
    }

    public static LaunchOutcome failed(String runId, String summary) {
        return new LaunchOutcome(false, runId, summary);
    }
}
