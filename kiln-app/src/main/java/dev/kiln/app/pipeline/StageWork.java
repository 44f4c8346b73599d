package dev.kiln.app.pipeline;

import java.util.Map;

/** One stage: its cache key from what the run knows so far, its work, and how a cached output is taken back. */
sealed interface StageWork permits IngestStage, ValidateStage, TrainStage, EvaluateStage, RegisterStage, PromoteStage {
    Stage stage();

    StageKey key(RunContext ctx);

    StageOutcome run(RunContext ctx);

    /**
     * Takes a cached output back into the run; returns why it cannot be reused (e.g. the bundle it names is gone),
     * or null when it can.
     */
    String restore(RunContext ctx, Map<String, Object> output);

    /** Whether a cached output lets the next stages run (a cached refusal stays a refusal). */
    default boolean proceeds(Map<String, Object> output) {
        return true;
    }

    /** The one-line summary of a cached output, shown when the stage is skipped. */
    String summary(Map<String, Object> output);
}
