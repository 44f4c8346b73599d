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
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads the prediction and feedback logs a server wrote for one model ({@code logDir/<model>/<kind>-<stamp>-<seq>.jsonl},
 * as {@link LogFormat} defines them, each line through kiln-runtime's {@link LogReader}) one line at a time: memory
 * does not grow with the size of the log. Files are read in the order they were written; a file whose successor was
 * opened before the window starts is skipped without being opened, as is every file opened after the window ends.
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

    private final Path modelDir;
    private final String model;

    /**
     * The logs of {@code model} under {@code logDir} (the server's {@code --log-dir}, by default
     * {@code HOME/logs/predictions}). The model name is checked and the folder must resolve inside {@code logDir}.
     */
    public PredictionLogReader(Path logDir, String model) {
        if (model == null || !LogFormat.MODEL_NAME.matcher(model).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "'" + model + "' is not a model name (letters, digits, "
                    + "'.', '_' and '-', starting with a letter or digit)", Map.of("field", "model"));
        }
        Path root = logDir.toAbsolutePath().normalize();
        Path dir = root.resolve(model).normalize();
        if (!dir.startsWith(root)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model name '" + model + "' leaves the log folder " + root,
                    Map.of("field", "model"));
        }
        this.modelDir = dir;
        this.model = model;
    }

    public Path modelDir() {
        return modelDir;
    }

    /** True when the server has written at least one log file for this model. */
    public boolean exists() {
        return !files(PREDICTIONS).isEmpty() || !files(FEEDBACK).isEmpty();
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
        List<LogFile> files = logFiles(kind);
        int opened = 0;
        long lines = 0;
        long records = 0;
        long outside = 0;
        long malformed = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (window.until() != null && !files.get(i).opened().isBefore(window.until())) {
                break; // opened at or after the end of the window: so is everything in it and after it
            }
            // Stamps have whole seconds: a successor opened strictly before the window's second means this
            // file was closed before the window started.
            if (window.since() != null && i + 1 < files.size()
                    && files.get(i + 1).opened().isBefore(window.since().minusSeconds(1))) {
                continue;
            }
            opened++;
            Path file = files.get(i).path();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    lines++;
                    T record;
                    try {
                        record = parse.apply(LogReader.object(line));
                    } catch (JsonProcessingException e) {
                        malformed++;
                        example(examples, file, number, "not valid JSON (" + e.getOriginalMessage() + ")");
                        continue;
                    } catch (LogReader.Malformed e) {
                        malformed++;
                        example(examples, file, number, e.getMessage());
                        continue;
                    }
                    if (!window.contains(timeOf.apply(record))) {
                        outside++;
                        continue;
                    }
                    records++;
                    sink.accept(record);
                }
            } catch (NoSuchFileException e) {
                // rotated away between listing and reading: nothing to read
            } catch (IOException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read the " + kind + " log " + file + ": "
                        + e.getMessage(), Map.of("file", file.toString()), e);
            }
        }
        return new ReadStats(opened, lines, records, outside, malformed, List.copyOf(examples));
    }

    private static void example(List<String> examples, Path file, long line, String why) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(file.getFileName() + ":" + line + ": " + why);
        }
    }

    /** The {@code kind} log files of the model, in the order they were written. */
    List<Path> files(String kind) {
        return logFiles(kind).stream().map(LogFile::path).toList();
    }

    private List<LogFile> logFiles(String kind) {
        try {
            return LogFile.list(modelDir, kind);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot list the log folder " + modelDir + ": " + e.getMessage(),
                    Map.of("file", modelDir.toString()), e);
        }
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
