package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user can get wrong in a training run (options, and values in the data file) ends in a {@link KilnException}
 * with the precise code and a message naming the option, column or value: never an IllegalArgumentException, a
 * NullPointerException or XGBoost's native stack trace, which the CLI reports as a crash (exit 1 or 10).
 */
class TrainingInputErrorsTest {
    @TempDir
    Path dir;

    /** Rows x (numeric), z (0..2) and y, with x and y as the given texts. */
    private Path csv(String name, int rows, IntFunction<String> x, IntFunction<String> y) throws IOException {
        StringBuilder sb = new StringBuilder("x,z,y\n");
        for (int i = 0; i < rows; i++) {
            sb.append(x.apply(i)).append(',').append(i * 7 % 3).append(',').append(y.apply(i)).append('\n');
        }
        return Files.writeString(dir.resolve(name + ".csv"), sb.toString());
    }

    private Path classes() throws IOException {
        return csv("classes", 80, i -> Integer.toString(i), i -> i % 3 == 0 ? "yes" : "no");
    }

    private TrainOptions options(Path data, String target, String... algorithms) {
        return TrainOptions.defaults(data, target, dir.resolve("bundle-" + System.nanoTime())).withAlgorithms(List.of(algorithms));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(TrainOptions o, ErrorCode code) {
        return assertThatThrownBy(() -> Training.run(o, ProgressListener.NONE))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void aStratifiedSplitOfANumericTargetNamesTheOptionInsteadOfANullPointer() throws Exception {
        Path data = csv("numbers", 80, i -> Integer.toString(i), i -> Double.toString(i * 0.5));
        TrainOptions o = options(data, "y", "tree");
        TrainOptions stratified = new TrainOptions(o.data(), "y", null, TrainOptions.SplitKind.STRATIFIED, null, 0.2, 0.2, 1,
                o.algorithms(), List.of(), null, null, o.out(), false);
        refused(stratified, ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--split stratified needs a class target; 'y' is a regression target: use --split random or time");
    }

    @Test
    void aSliceByWithAnEmptyColumnNamesTheOption() throws Exception {
        Path data = classes();
        for (String slice : List.of("x*", "*", "", " ")) {
            refused(options(data, "y", "tree").withSliceBy(List.of(slice)), ErrorCode.INVALID_ARGUMENT)
                    .hasMessageStartingWith("--slice-by '" + slice + "' names an empty column");
        }
    }

    @Test
    void listOptionsWithANullEntryAndMissingRequiredOptionsAreInvalidArguments() throws Exception {
        Path data = classes();
        List<String> withNull = Arrays.asList("tree", null);
        assertThatThrownBy(() -> options(data, "y").withAlgorithms(withNull))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessage("--algorithms has an empty (null) entry");
        assertThatThrownBy(() -> options(data, "y", "tree").withSliceBy(Arrays.asList((String) null)))
                .isInstanceOf(KilnException.class).hasMessage("--slice-by has an empty (null) entry");
        refused(TrainOptions.defaults(data, null, dir.resolve("b")), ErrorCode.INVALID_ARGUMENT)
                .hasMessageStartingWith("--target is required");
        refused(TrainOptions.defaults(data, "y", null), ErrorCode.INVALID_ARGUMENT).hasMessageStartingWith("--out is required");
        refused(TrainOptions.defaults(null, "y", dir.resolve("b")), ErrorCode.INVALID_ARGUMENT).hasMessageStartingWith("--data is required");
        // Null lists mean none: no exclusions, only the baseline.
        TrainOptions nulls = new TrainOptions(data, "y", null, null, null, 0.2, 0.2, 1, null, null, null, null,
                dir.resolve("nulls"), false, null);
        assertThat(Training.run(nulls, ProgressListener.NONE).chosen()).isEqualTo("baseline");
    }

    @Test
    void fractionsNameTheirOption() throws Exception {
        Path data = classes();
        TrainOptions o = options(data, "y", "tree");
        refused(new TrainOptions(data, "y", null, null, null, 0.2, 1.5, 1, o.algorithms(), List.of(), null, null, o.out(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--validation-fraction must be between 0 and 1 (exclusive), got 1.5");
        refused(new TrainOptions(data, "y", null, null, null, Double.NaN, 0.2, 1, o.algorithms(), List.of(), null, null, o.out(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--test-fraction must be between 0 and 1 (exclusive), got NaN");
    }

    @Test
    void aFeatureBeyondSinglePrecisionIsNamedForXGBoostInsteadOfItsNativeStackTrace() throws Exception {
        Path data = csv("wide", 60, i -> i % 2 == 0 ? "1e39" : Integer.toString(i), i -> i % 3 == 0 ? "yes" : "no");
        for (String algorithm : List.of("gbdt", "forest")) {
            refused(options(data, "y", algorithm), ErrorCode.VALUE_INVALID)
                    .hasMessageStartingWith("feature 'x' holds 1.0E39, beyond the single precision")
                    .hasMessageContaining("rescale the column, or train without forest and gbdt")
                    .hasMessageNotContaining("Stack trace");
        }
        // The other algorithms work in double precision and train on it.
        assertThat(Training.run(options(data, "y", "linear", "tree"), ProgressListener.NONE).leaderboard()).hasSize(3);
    }

    @Test
    void aRegressionTargetBeyondSinglePrecisionIsATargetErrorForXGBoost() throws Exception {
        Path data = csv("tall", 60, i -> Integer.toString(i), i -> i % 2 == 0 ? "1e39" : Integer.toString(i));
        refused(options(data, "y", "gbdt"), ErrorCode.TARGET_INVALID)
                .hasMessageStartingWith("the target holds 1.0E39, beyond the single precision");
    }

    @Test
    void aRegressionTargetWhoseSumOverflowsIsRefusedByName() throws Exception {
        Path data = csv("huge", 60, i -> Integer.toString(i), i -> i % 2 == 0 ? "1.7e308" : "1.6e308");
        refused(options(data, "y", "tree"), ErrorCode.TARGET_INVALID)
                .hasMessage("target 'y' holds values too large to learn from (their sum overflows a double; largest 1.7E308): "
                        + "rescale the target");
    }

    @Test
    void featuresNearTheLargestDoubleAreScaledWithoutOverflow() throws Exception {
        // Before: the mean and the median overflowed, the runtime refused the transform with an
        // IllegalArgumentException and `kiln train` crashed; with both signs, scaling made infinities and NaN scores.
        Path same = csv("same", 60, i -> i % 2 == 0 ? "1.7e308" : "1.6e308", i -> i % 3 == 0 ? "yes" : "no");
        Path mixed = csv("mixed", 60, i -> i % 2 == 0 ? "1.7e308" : "-1.7e308", i -> i % 3 == 0 ? "yes" : "no");
        for (Path data : List.of(same, mixed)) {
            TrainingReport r = Training.run(options(data, "y", "linear"), ProgressListener.NONE);
            KilnModel model = KilnModel.load(Path.of(r.bundle()));
            Prediction p = model.predict(Map.of("x", -1.7e308, "z", 1));
            assertThat(p.probabilities().values()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
            assertThat(r.leaderboard().get(1).testMetrics().get("roc_auc")).isBetween(0.0, 1.0);
        }
        // The unscaled path (trees) takes the median of the two largest values, which overflowed their sum.
        Path reg = csv("reg", 60, i -> i % 2 == 0 ? "1.7e308" : "-1.7e308", i -> Integer.toString(i));
        assertThat(Training.run(options(reg, "y", "tree"), ProgressListener.NONE).chosen()).isEqualTo("tree");
    }
}
