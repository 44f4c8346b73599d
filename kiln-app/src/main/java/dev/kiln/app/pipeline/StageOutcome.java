package dev.kiln.app.pipeline;

import java.util.Map;

/**
 * What a stage's work produced.
 *
 * @param proceed   whether the next stages run (false: a refusal, e.g. a gate or validation said no)
 * @param output    what later stages and later runs read (cached under the stage's key when {@code cacheable})
 * @param message   one line for the user
 * @param cacheable whether a later run with the same key may reuse it
 */
record StageOutcome(boolean proceed, Map<String, Object> output, String message, boolean cacheable) {
    static StageOutcome done(Map<String, Object> output, String message) {
        return new StageOutcome(true, output, message, true);
    }

    static StageOutcome refused(Map<String, Object> output, String message, boolean cacheable) {
        return new StageOutcome(false, output, message, cacheable);
    }
}
