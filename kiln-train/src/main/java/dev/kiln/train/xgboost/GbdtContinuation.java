package dev.kiln.train.xgboost;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import java.util.Map;

/**
 * A GBDT that continues an earlier one instead of starting over (warm start): the parent's XGBoost JSON model
 * with {@code trainer}'s rounds added on the new rows. Named {@code gbdt} like the trainer it continues with.
 *
 * @param trainer the parameters of the added rounds; its {@code maxRounds} is how many may be added
 * @param parent  the parent's XGBoost JSON model, trained on the same features and task
 */
public record GbdtContinuation(GbdtTrainer trainer, byte[] parent) implements Trainer {
    public GbdtContinuation {
        if (trainer == null || parent == null || parent.length == 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a GBDT continuation needs a trainer and the parent's "
                    + "XGBoost model", Map.of());
        }
    }

    @Override
    public String name() {
        return trainer.name();
    }

    @Override
    public boolean needsScaling() {
        return false;
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        try (FittedBooster fitted = trainer.fitBooster(data, seed, parent)) {
            return fitted.model();
        }
    }
}
