package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one wording of a refused hyperparameter. A trainer's hyperparameters are chosen by whoever builds it (an
 * embedding program, a benchmark), so a bad one is the caller's input, {@link ErrorCode#INVALID_ARGUMENT}, naming
 * the algorithm, the parameter, what it accepts and what it got.
 */
public final class Hyperparameters {
    private Hyperparameters() {
    }

    /** {@code gbdt: max_depth must be an integer >= 1, got 0}. */
    public static KilnException invalid(String algorithm, String parameter, String accepted, Object value) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("algorithm", algorithm);
        details.put("parameter", parameter);
        details.put("value", String.valueOf(value));
        return new KilnException(ErrorCode.INVALID_ARGUMENT, algorithm + ": " + parameter + " must be " + accepted
                + ", got " + value, details);
    }
}
