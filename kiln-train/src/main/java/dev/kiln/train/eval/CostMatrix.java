package dev.kiln.train.eval;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;

/**
 * Business cost of the two errors of a binary classifier (positive = class 1): a false positive costs
 * {@code falsePositive}, a false negative {@code falseNegative}; correct predictions cost nothing. Both come from
 * the user ({@code --cost-fp}, {@code --cost-fn}, or a recorded run being retrained), so a bad one is an
 * {@link ErrorCode#INVALID_ARGUMENT}.
 */
public record CostMatrix(double falsePositive, double falseNegative) {
    public CostMatrix {
        check("--cost-fp", "false positive", falsePositive);
        check("--cost-fn", "false negative", falseNegative);
    }

    private static void check(String option, String what, double cost) {
        if (!(cost >= 0.0) || Double.isInfinite(cost)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " (the cost of a " + what + ") must be a finite "
                    + "number >= 0, got " + cost, Map.of("option", option, "value", String.valueOf(cost)));
        }
    }
}
