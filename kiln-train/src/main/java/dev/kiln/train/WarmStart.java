package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Continue a GBDT bundle on new rows instead of training from scratch (XGBoost's training continuation):
 * the parent's feature pipeline is reused as fitted, its trees are kept and up to {@code rounds} rounds are
 * added, with early stopping on the new validation rows. Only {@code gbdt} (and the baseline, for the lift
 * gate) is trained. The new data must have the parent's input columns, target, task and classes.
 *
 * @param parentBundle the parent's bundle directory (for a registry version: the registry's bundle path)
 * @param parentVersion how the parent is named in the new model's lineage and tracked run, e.g. {@code credit:3};
 *                      null names it by its directory
 * @param rounds        at most this many boosting rounds are added
 */
public record WarmStart(Path parentBundle, String parentVersion, int rounds) {
    /** Rounds a warm start may add unless told otherwise: early stopping usually ends it well before. */
    public static final int DEFAULT_ROUNDS = 100;

    public WarmStart {
        if (parentBundle == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a warm start needs the parent model's bundle directory",
                    Map.of("option", "--warm-start-from"));
        }
        if (rounds < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a warm start must add at least one round, got " + rounds,
                    Map.of("option", "warm_start_rounds", "value", String.valueOf(rounds)));
        }
        if (parentVersion == null || parentVersion.isBlank()) {
            parentVersion = parentBundle.toAbsolutePath().normalize().toString();
        }
    }

    /** Up to {@link #DEFAULT_ROUNDS} rounds added. */
    public WarmStart(Path parentBundle, String parentVersion) {
        this(parentBundle, parentVersion, DEFAULT_ROUNDS);
    }

    /** The one algorithm that can continue a model. */
    public static final String ALGORITHM = new GbdtTrainer().name();
}
