package dev.kiln.spark;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** {@link Fixtures} for the CLI's tests, in the package of the CLI. */
public final class CliFixtures {
    private CliFixtures() {
    }

    public static Path data(Path file) throws IOException {
        return Fixtures.data(file, 1200, 11);
    }

    public static KilnModel classifier(Path data, Path dir) throws IOException {
        return Fixtures.train(data, dir, "label", "amount", "gbdt");
    }

    /** What {@code kiln predict} gives each row of {@code csv}, by id. */
    public static Map<String, Prediction> expected(KilnModel model, Path csv) {
        return ReferenceScoring.of(model, csv);
    }
}
