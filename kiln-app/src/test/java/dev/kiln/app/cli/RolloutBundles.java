package dev.kiln.app.cli;

import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Two real bundles with the same columns ({@code x1}, {@code x2}) and classes ({@code good}, {@code bad}: yes/no would be read as booleans), trained once
 * per test JVM: {@link #good} learnt the true rule ({@link #truth}: y from x1), {@link #wrong} learnt y from x2 on data
 * where that held. Both pass the gates on their own test sets; on live traffic labelled by the true rule the wrong
 * one is about a coin toss.
 */
final class RolloutBundles {
    private static Path dir;
    private static Path good;
    private static Path wrong;

    private RolloutBundles() {
    }

    /** The live label of a row: the rule the good bundle learnt. */
    static String truth(double x1, double noise) {
        return x1 + 0.3 * noise > 0.3 ? "good" : "bad";
    }

    static synchronized Path good() {
        train();
        return good;
    }

    static synchronized Path wrong() {
        train();
        return wrong;
    }

    private static void train() {
        if (dir != null) {
            return;
        }
        try {
            dir = Files.createTempDirectory("kiln-rollout-test-bundles");
            Runtime.getRuntime().addShutdownHook(new Thread(RolloutBundles::delete));
            good = trainOn(data("good.csv", false), "good");
            wrong = trainOn(data("wrong.csv", true), "wrong");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path data(String name, boolean fromX2) throws IOException {
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        Random r = new Random(fromX2 ? 11 : 7);
        for (int i = 0; i < 400; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            String y = truth(fromX2 ? x2 : x1, r.nextGaussian());
            sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x1, x2, y));
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    private static Path trainOn(Path csv, String name) {
        return Path.of(Training.run(TrainOptions.defaults(csv, "y", dir.resolve(name)).withAlgorithms(List.of("linear")),
                ProgressListener.NONE).bundle());
    }

    private static void delete() {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; best effort
        }
    }
}
