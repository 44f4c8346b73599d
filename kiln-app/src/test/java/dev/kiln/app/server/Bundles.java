package dev.kiln.app.server;

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

/** Two real bundles trained once per test JVM on a small generated dataset: a useful one and a baseline-only one. */
public final class Bundles {
    private static Path dir;
    private static Path good;
    private static Path weak;

    private Bundles() {
    }

    /** A logistic regression: clearly better than its baseline, so it passes the gates. */
    public static synchronized Path good() {
        train();
        return good;
    }

    /** The baseline alone: no lift over the baseline, so the gates refuse it for production. */
    public static synchronized Path weak() {
        train();
        return weak;
    }

    private static void train() {
        if (dir != null) {
            return;
        }
        try {
            dir = Files.createTempDirectory("kiln-server-test-bundles");
            Runtime.getRuntime().addShutdownHook(new Thread(Bundles::delete));
            Path csv = dir.resolve("data.csv");
            StringBuilder sb = new StringBuilder("x1,x2,y\n");
            Random r = new Random(7);
            for (int i = 0; i < 400; i++) {
                double x1 = r.nextGaussian();
                double x2 = r.nextGaussian();
                boolean y = x1 + 0.5 * r.nextGaussian() > 0.3;
                sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x1, x2, y ? "yes" : "no"));
            }
            Files.writeString(csv, sb);
            good = Path.of(Training.run(TrainOptions.defaults(csv, "y", dir.resolve("good")).withAlgorithms(List.of("linear")),
                    ProgressListener.NONE).bundle());
            weak = Path.of(Training.run(TrainOptions.defaults(csv, "y", dir.resolve("weak")).withAlgorithms(List.of("baseline")),
                    ProgressListener.NONE).bundle());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete() {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; best effort
        }
    }
}
