package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.Map;

/** The algorithms {@code kiln train --algorithms} knows, by name. */
public final class Trainers {
    private Trainers() {
    }

    public static Trainer byName(String name) {
        if (name == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "no algorithm named: expected one of "
                    + TrainOptions.ALL_ALGORITHMS, Map.of());
        }
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "baseline" -> new BaselineTrainer();
            case "linear" -> new LinearTrainer();
            case "tree" -> new DecisionTreeTrainer();
            case "forest" -> new ForestTrainer();
            case "gbdt", "gbdt_native", "gbdt_balanced" -> new GbdtTrainer();
            case "ensemble" -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the ensemble is built from the other "
                    + "candidates, not trained on its own", Map.of("algorithm", name));
            default -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unknown algorithm '" + name
                    + "': expected one of " + TrainOptions.ALL_ALGORITHMS, Map.of("algorithm", name));
        };
    }
}
