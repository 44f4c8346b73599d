package dev.kiln.app.server;

import dev.kiln.runtime.log.FeedbackEntry;
import dev.kiln.runtime.log.InputFlag;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.log.LogLineWriter;
import dev.kiln.runtime.log.PredictionRow;
import dev.kiln.runtime.schema.Field;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A served model's history for monitoring tests: a bundle trained once per JVM whose feature names are an XSS attempt
 * (beside a plain {@code amount}), and prediction logs written with kiln-runtime's own writer ({@link LogLineWriter},
 * the format kiln serve writes) at chosen times: hour by hour, the second half drifted ({@code amount} shifted by
 * two standard deviations, {@link #IMG} by 0.7, {@link #SCRIPT} unchanged) with labels that no longer follow the
 * model, and version 2 answering a fifth of the requests in the second half.
 */
public final class MonitoredModel {
    public static final String SCRIPT = "<script>alert(1)</script>";
    public static final String IMG = "\"><img src=x onerror=alert(1)>";
    private static Path bundle;

    private MonitoredModel() {
    }

    /** A logistic regression on {@code amount}, {@link #SCRIPT} and {@link #IMG} predicting {@code y} (classes no, yes). */
    public static synchronized Path bundle() {
        if (bundle == null) {
            bundle = bundle(SCRIPT, IMG);
        }
        return bundle;
    }

    /** The same model with its two other columns named {@code second} and {@code third} (a tour with plain names). */
    public static synchronized Path bundle(String second, String third) {
        try {
            Path dir = Files.createTempDirectory("kiln-monitored-model");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            Path csv = dir.resolve("data.csv");
            StringBuilder sb = new StringBuilder("amount,\"" + second.replace("\"", "\"\"") + "\",\"" + third.replace("\"", "\"\"") + "\",y\n");
            Random r = new Random(11);
            for (int i = 0; i < 400; i++) {
                double amount = r.nextGaussian();
                sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%s%n", amount, r.nextGaussian(), r.nextGaussian(),
                        amount + 0.5 * r.nextGaussian() > 0.3 ? "yes" : "no")); // labels as written: classes no, yes
            }
            Files.writeString(csv, sb);
            return Path.of(Training.run(TrainOptions.defaults(csv, "y", dir.resolve("bundle")).withAlgorithms(List.of("linear")),
                    ProgressListener.NONE).bundle());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code hours} hours of {@code model}'s log under {@code logDir} from {@code start} (which should be the
     * start of an hour), {@code rowsPerHour} requests an hour, a label for every other request a minute later.
     */
    public static void writeLog(Path logDir, String model, Instant start, int hours, int rowsPerHour) {
        writeLog(logDir, model, start, hours, rowsPerHour, SCRIPT, IMG);
    }

    /** As above, for {@link #bundle(String, String)} with those names. */
    public static void writeLog(Path logDir, String model, Instant start, int hours, int rowsPerHour, String second, String third) {
        try {
            Path dir = Files.createDirectories(logDir.resolve(model));
            Random r = new Random(5);
            LogLineWriter writer = new LogLineWriter();
            List<Field> fields = List.of();
            try (OutputStream predictions = Files.newOutputStream(dir.resolve(LogFormat.fileName(LogFormat.PREDICTIONS, start, 0)));
                 OutputStream feedback = Files.newOutputStream(dir.resolve(LogFormat.fileName(LogFormat.FEEDBACK, start, 0)))) {
                long step = Duration.ofHours(1).toMillis() / rowsPerHour;
                for (int h = 0; h < hours; h++) {
                    boolean drifted = h >= hours / 2;
                    for (int i = 0; i < rowsPerHour; i++) {
                        Instant t = start.plusMillis(h * Duration.ofHours(1).toMillis() + i * step);
                        double amount = r.nextGaussian() + (drifted ? 2 : 0);
                        Map<String, Object> inputs = new LinkedHashMap<>();
                        inputs.put("amount", amount);
                        inputs.put(second, r.nextGaussian());
                        inputs.put(third, r.nextGaussian() + (drifted ? 0.7 : 0));
                        double pYes = 1 / (1 + Math.exp(-2.5 * (amount - 0.3)));
                        String version = drifted && i % 5 == 0 ? "2" : "1";
                        String id = "r-" + h + "-" + i;
                        writer.prediction(new Row(id, t, model, version, fields, inputs, pYes >= 0.5 ? "yes" : "no",
                                Map.of("yes", pYes, "no", 1 - pYes)));
                        predictions.write(writer.bytes(), 0, writer.size());
                        if (i % 2 == 0) {
                            double threshold = drifted ? 2.3 : 0.3; // after the shift the labels follow another rule
                            boolean yes = amount + 0.5 * r.nextGaussian() > threshold;
                            writer.feedback(new FeedbackEntry(id, t.plusSeconds(60), model, "1", null, yes ? "yes" : "no", null,
                                    "f-" + id));
                            feedback.write(writer.bytes(), 0, writer.size());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; best effort
        }
    }

    private record Row(String requestId, Instant time, String model, String version, List<Field> fields, Object inputs,
                       Object prediction, Map<String, Double> probabilities) implements PredictionRow {
        @Override
        public String id() {
            return null;
        }

        @Override
        public int row() {
            return 0;
        }

        @Override
        public List<? extends InputFlag> flags() {
            return List.of();
        }

        @Override
        public double latencyMs() {
            return 1.5;
        }

        @Override
        public Map<String, Object> explanation() {
            return null;
        }
    }
}
