package dev.kiln.monitor.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.log.FeedbackEntry;
import dev.kiln.runtime.log.LogFile;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.log.LogReader;
import dev.kiln.runtime.log.LoggedPrediction;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads the prediction and feedback logs a server wrote for one model ({@code logDir/<model>/<kind>-<stamp>-<seq>.jsonl},
 * as {@link LogFormat} defines them, each line through kiln-runtime's {@link LogReader}) one line at a time: memory
 * does not grow with the size of the log. The lines come from a {@link LogLines} source: the files
 * ({@link FileLogLines}: read in the order they were written, those wholly outside the window not opened) or a
 * Kafka topic (kiln-kafka); the same lines give the same records and unreadable lines, while
 * {@link ReadStats#files()} (files or partitions read), {@link ReadStats#lines()} and
 * {@link ReadStats#outsideWindow()} count what the source handed over around the window.
 *
 * <p>A line that is not a valid record (a line cut short by a killed process, a hand edit) is skipped and
 * counted, and the first few are reported with their file and line number in {@link ReadStats}: a monitoring
 * report says how much of the log it could not read rather than failing on it or hiding it.
 */
public final class PredictionLogReader {
    public static final String PREDICTIONS = LogFormat.PREDICTIONS;
    public static final String FEEDBACK = LogFormat.FEEDBACK;
    /** Rows scored by the model's shadow: prediction records under the shadow's version, beside the predictions. */
    public static final String SHADOW = LogFormat.SHADOW;
    private static final int MAX_EXAMPLES = 5;

    /** What a pass over the log read and skipped. */
    public record ReadStats(int files, long lines, long records, long outsideWindow, long malformed,
                            List<String> malformedExamples) {
    }

    private final LogLines source;
    private final String model;

    /**
     * The logs of {@code model} under {@code logDir} (the server's {@code --log-dir}, by default
     * {@code HOME/logs/predictions}). The model name is checked and the folder must resolve inside {@code logDir}.
     */
    public PredictionLogReader(Path logDir, String model) {
        checkName(model);
        Path root = logDir.toAbsolutePath().normalize();
        Path dir = root.resolve(model).normalize();
        if (!dir.startsWith(root)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model name '" + model + "' leaves the log folder " + root,
                    Map.of("field", "model"));
        }
        this.source = new FileLogLines(dir);
        this.model = model;
    }

    /**
     * The logs of {@code model} as {@code source} hands their lines over (a Kafka topic, say): parsed, windowed and
     * counted exactly as the files are.
     */
    public PredictionLogReader(String model, LogLines source) {
        checkName(model);
        this.source = Objects.requireNonNull(source, "source");
        this.model = model;
    }

    private static void checkName(String model) {
        if (model == null || !LogFormat.MODEL_NAME.matcher(model).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + model + "' is not a model name (letters, digits, "
                    + "'.', '_' and '-', starting with a letter or digit)", Map.of("field", "model"));
        }
    }

    /** The model's log folder, when the log is read from files (else null). */
    public Path modelDir() {
        return source instanceof FileLogLines f ? f.modelDir() : null;
    }

    /** Where the log is read from, for messages: the model's folder, or a topic. */
    public String where() {
        return source.where();
    }

    /** True when the server has written at least one log file for this model (or the topic exists). */
    public boolean exists() {
        return source.exists();
    }

    /** Streams the predictions whose time is in {@code window}, in log order. */
    public ReadStats predictions(LogWindow window, Consumer<PredictionRecord> sink) {
        return read(PREDICTIONS, window, this::prediction, PredictionRecord::time, sink);
    }

    /**
     * Streams the rows the model's shadow scored whose time is in {@code window}, in log order: each under the
     * shadow's version and the request id and row of the served prediction it copies.
     */
    public ReadStats shadows(LogWindow window, Consumer<PredictionRecord> sink) {
        return read(SHADOW, window, this::prediction, PredictionRecord::time, sink);
    }

    private PredictionRecord prediction(JsonNode node) {
        LoggedPrediction p = LogReader.prediction(node);
        if (p.probabilities() != null) {
            p.probabilities().forEach((label, probability) -> {
                if (probability == null) {
                    throw new LogReader.Malformed("probability of '" + label + "' is not a number");
                }
            });
        }
        return new PredictionRecord(p.requestId(), p.time(), p.model() == null ? model : p.model(), p.version(), p.row(),
                scalars(p.inputs()), scalar(p.prediction()), p.probabilities() == null ? new LinkedHashMap<>() : p.probabilities(),
                p.latencyMs(), !p.flags().isEmpty());
    }

    /** Streams the feedback whose time is in {@code window}, in log order. */
    public ReadStats feedback(LogWindow window, Consumer<FeedbackRecord> sink) {
        return read(FEEDBACK, window, node -> {
            FeedbackEntry f = LogReader.feedback(node);
            return new FeedbackRecord(f.requestId(), f.time(), f.model() == null ? model : f.model(), f.servedVersion(),
                    f.rowOrZero(), f.label() == null ? null : labelText(f.label()), f.reward());
        }, FeedbackRecord::time, sink);
    }

    /** The text a label is compared with class names by: integral numbers without a fraction, the rest as JSON text. */
    public static String labelText(JsonNode label) {
        return labelText(LogReader.value(label));
    }

    /** As {@link #labelText(JsonNode)}, for a label as {@link LogReader} reads it (a string, number or boolean). */
    public static String labelText(Object label) {
        if (label instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (label instanceof Map || label instanceof List) {
            return "";  // JsonNode.asText of a container: the server takes no such label
        }
        return String.valueOf(label);
    }

    private <T> ReadStats read(String kind, LogWindow window, Function<JsonNode, T> parse, Function<T, Instant> timeOf,
                               Consumer<T> sink) {
        long[] counts = new long[4]; // lines, records, outside the window, malformed
        List<String> examples = new ArrayList<>();
        int units = source.read(kind, window, (unit, number, line) -> {
            counts[0]++;
            T record;
            try {
                record = parse.apply(LogReader.object(line));
            } catch (JsonProcessingException e) {
                counts[3]++;
                example(examples, unit, number, "not valid JSON (" + e.getOriginalMessage() + ")");
                return;
            } catch (LogReader.Malformed e) {
                counts[3]++;
                example(examples, unit, number, e.getMessage());
                return;
            }
            if (!window.contains(timeOf.apply(record))) {
                counts[2]++;
                return;
            }
            counts[1]++;
            sink.accept(record);
        });
        return new ReadStats(units, counts[0], counts[1], counts[2], counts[3], List.copyOf(examples));
    }

    private static void example(List<String> examples, String unit, long line, String why) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(unit + ":" + line + ": " + why);
        }
    }

    /** The {@code kind} log files of the model, in the order they were written (a file source only). */
    List<Path> files(String kind) {
        return ((FileLogLines) source).files(kind).stream().map(LogFile::path).toList();
    }

    /**
     * The inputs as monitoring compares them: scalars as read; a number past a long as a double; a nested object or
     * array as empty text (as monitoring has always read them). The map is reused when nothing changes.
     */
    private static Map<String, Object> scalars(Map<String, Object> inputs) {
        for (Map.Entry<String, Object> e : inputs.entrySet()) {
            Object v = e.getValue();
            if (v instanceof BigInteger || v instanceof Map || v instanceof List) {
                e.setValue(scalar(v));
            }
        }
        return inputs;
    }

    private static Object scalar(Object v) {
        if (v instanceof BigInteger b) {
            return b.doubleValue();
        }
        if (v instanceof Map || v instanceof List) {
            return "";
        }
        return v;
    }

    public String model() {
        return model;
    }
}
