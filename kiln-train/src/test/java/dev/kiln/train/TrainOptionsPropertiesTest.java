package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.eval.CostMatrix;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever a user passes as training options (fractions, seed, algorithm names, split, task, slice columns, costs,
 * hyperparameters), training either runs or ends in a {@link KilnException} with a user-input code; never another
 * exception, which the CLI reports as a crash.
 */
class TrainOptionsPropertiesTest {
    private static Path dir;
    private static Path data;

    @BeforeContainer
    static void writeData() throws IOException {
        dir = Files.createTempDirectory("kiln-train-options");
        StringBuilder sb = new StringBuilder("x,colour,when,y,amount\n");
        String[] colours = {"red", "green", "blue", ""};
        for (int i = 0; i < 40; i++) {
            sb.append(i % 7 == 0 ? "" : Double.toString(i * 0.37 - 4)).append(',').append(colours[i % 4]).append(',')
                    .append("2026-01-").append(String.format("%02d", i % 28 + 1)).append(',')
                    .append(i % 3 == 0 ? "yes" : "no").append(',').append(i * 1.5).append('\n');
        }
        data = Files.writeString(dir.resolve("data.csv"), sb.toString());
    }

    @AfterContainer
    static void deleteData() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Runs {@code action}: it must succeed or fail with a KilnException whose code is the user's to fix. */
    private static <T> void succeedsOrRefuses(Supplier<T> action) {
        try {
            assertThat(action.get()).isNotNull();
            Statistics.label("outcome").collect("ran");
        } catch (KilnException e) {
            Statistics.label("outcome").collect(e.code().wireName());
            assertThat(e.code().category()).as(e.getMessage()).isEqualTo(ErrorCode.Category.USER_INPUT);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /** Mostly what a user would pass, sometimes what a user might mistype: both paths get exercised. */
    private static <T> Arbitrary<T> mostly(Arbitrary<T> usual, Arbitrary<T> odd) {
        return Arbitraries.frequencyOf(Tuple.of(12, usual), Tuple.of(1, odd));
    }

    @Provide
    Arbitrary<Double> fractions() {
        return mostly(Arbitraries.doubles().between(0.05, 0.6), Arbitraries.oneOf(Arbitraries.doubles().between(-0.5, 1.5),
                Arbitraries.of(0.0, 1.0, 1e-9, 0.999999, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
    }

    @Provide
    Arbitrary<List<String>> algorithms() {
        return mostly(Arbitraries.of("baseline", "linear", "tree", " TREE ", "Linear"), Arbitraries.strings().ofMaxLength(6))
                .list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<String>> columns() {
        return mostly(Arbitraries.of("x", "colour", "when", "amount", "x*colour", "colour*when"),
                Arbitraries.oneOf(Arbitraries.of("y", "*", "x*", "nope", ""), Arbitraries.strings().ofMaxLength(4)))
                .list().ofMaxSize(2);
    }

    @Provide
    Arbitrary<List<String>> excluded() {
        return mostly(Arbitraries.of("x", "colour", "amount"), Arbitraries.of("y", "nope", "x*colour", "", " ")).list().ofMaxSize(1);
    }

    @Provide
    Arbitrary<String> targets() {
        return mostly(Arbitraries.of("y", "amount", "colour"), Arbitraries.of("x", "when", "nope", ""));
    }

    @Provide
    Arbitrary<String> timeColumns() {
        return mostly(Arbitraries.of("when", "x", "amount"), Arbitraries.of("colour", "y", "nope", "")).injectNull(0.7);
    }

    @Provide
    Arbitrary<String> positiveClasses() {
        return mostly(Arbitraries.of("yes", "no"), Arbitraries.of("maybe", "", "1")).injectNull(0.5);
    }

    @Provide
    Arbitrary<Double> costs() {
        return mostly(Arbitraries.doubles().between(0, 10), Arbitraries.oneOf(Arbitraries.doubles().between(-2, 0),
                Arbitraries.of(0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MAX_VALUE)));
    }

    // The generators mix in the odd values themselves; jqwik's own edge cases (all odd at once) would crowd out runs.
    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void trainingRunsOrRefusesWithAKilnException(@ForAll("targets") String target, @ForAll("fractions") double testFraction,
            @ForAll("fractions") double validationFraction, @ForAll long seed, @ForAll("algorithms") List<String> algorithms,
            @ForAll("excluded") List<String> exclude, @ForAll("columns") List<String> sliceBy,
            @ForAll("timeColumns") String timeColumn, @ForAll TrainOptions.SplitKind split, @ForAll boolean splitGiven,
            @ForAll Task task, @ForAll boolean taskGiven, @ForAll("positiveClasses") String positive,
            @ForAll("costs") double costFp, @ForAll("costs") double costFn, @ForAll boolean costGiven) {
        Path out = dir.resolve("bundle-" + System.nanoTime());
        // A time column goes with a time split (or none given), a task is seldom forced; a few tries keep the mismatch.
        boolean usual = seed % 8 != 0;
        String time = !splitGiven ? timeColumn : split != TrainOptions.SplitKind.TIME ? (usual ? null : timeColumn)
                : (usual && timeColumn == null ? "when" : timeColumn);
        Task forced = taskGiven && (seed % 3 == 0 || !usual) ? task : null;
        succeedsOrRefuses(() -> Training.run(new TrainOptions(data, target, forced, splitGiven ? split : null,
                time, testFraction, validationFraction, seed, algorithms, exclude, positive,
                costGiven ? new CostMatrix(costFp, costFn) : null, out, false, sliceBy), ProgressListener.NONE));
    }

    @Property(tries = 300)
    void trainersAreBuiltOrRefusedWithAKilnException(@ForAll int a, @ForAll int b, @ForAll int c, @ForAll double x,
            @ForAll double y, @ForAll double z, @ForAll @Size(max = 2) Map<String, Integer> extra) {
        Map<String, Object> params = new HashMap<>(extra);
        succeedsOrRefuses(() -> new GbdtTrainer(a, x, b, c, a, params));
        succeedsOrRefuses(() -> new ForestTrainer(a, b, x, y, c, params));
        succeedsOrRefuses(() -> new DecisionTreeTrainer(a, b, x));
        succeedsOrRefuses(() -> new LinearTrainer(x, a, y, z));
        succeedsOrRefuses(() -> new CostMatrix(x, y));
    }
}
