package dev.kiln.runtime.validate;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;

/**
 * Thresholds of a validation.
 *
 * @param missingRateJump a column's missing share may exceed its training missing share by at most this much
 *                        (absolute, 0.05 = five percentage points) before it is flagged
 * @param maxExamples     examples kept per column and kind of issue
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ValidationOptions(double missingRateJump, int maxExamples) {
    public static final double DEFAULT_MISSING_RATE_JUMP = 0.05;
    public static final int DEFAULT_MAX_EXAMPLES = 5;

    public ValidationOptions {
        if (!(missingRateJump >= 0 && missingRateJump <= 1)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the missing-rate jump threshold (--missing-jump) must be between 0 and 1, got "
                    + missingRateJump, Map.of("missing_rate_jump", missingRateJump));
        }
        if (maxExamples < 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the number of examples must be 0 or more, got " + maxExamples);
        }
    }

    public static ValidationOptions defaults() {
        return new ValidationOptions(DEFAULT_MISSING_RATE_JUMP, DEFAULT_MAX_EXAMPLES);
    }
}
