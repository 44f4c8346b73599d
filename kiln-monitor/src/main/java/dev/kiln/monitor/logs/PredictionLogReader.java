package dev.kiln.monitor.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the prediction and feedback logs a server wrote for one model ({@code logDir/<model>/<kind>-<stamp>-<seq>.jsonl})
 * one line at a time: memory does not grow with the size of the log. Files are read in the order they were
 * written; a file whose successor was opened before the window starts is skipped without being opened, as is
 * every file opened after the window ends.
 *
 * <p>A line that is not a valid record (a line cut short by a killed process, a hand edit) is skipped and
 * counted, and the first few are reported with their file and line number in {@link ReadStats}: a monitoring
 * report says how much of the log it could not read rather than failing on it or hiding it.
 */
public final class PredictionLogReader {
    public static final String PREDICTIONS = "predictions";
    public static final String FEEDBACK = "feedback";
    /** Rows scored by the model's shadow: prediction records under the shadow's version, beside the predictions. */
    public static final String SHADOW = "shadow";
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern FILE = Pattern.compile("(predictions|feedback|shadow)-(\\d{8}-\\d{6})-(\\d+)\\.jsonl");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int MAX_EXAMPLES = 5;

    /** What a pass over the log read and skipped. */
    public record ReadStats(int files, long lines, long records, long outsideWindow, long malformed,
                            List<String> malformedExamples) {
    }

    private final Path modelDir;
    private final String model;
    private final ObjectMapper mapper = Json.mapper();

    /**
     * The logs of {@code model} under {@code logDir} (the server's {@code --log-dir}, by default
     * {@code HOME/logs/predictions}). The model name is checked and the folder must resolve inside {@code logDir}.
     */
    public PredictionLogReader(Path logDir, String model) {
        if (model == null || !MODEL_NAME.matcher(model).matches()) {
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
        return read(PREDICTIONS, window, this::prediction, sink);
    }

    /**
     * Streams the rows the model's shadow scored whose time is in {@code window}, in log order: each under the
     * shadow's version and the request id and row of the served prediction it copies.
     */
    public ReadStats shadows(LogWindow window, Consumer<PredictionRecord> sink) {
        return read(SHADOW, window, this::prediction, sink);
    }

    private PredictionRecord prediction(JsonNode node) {
        {
            JsonNode outputs = node.path("outputs");
            Map<String, Double> probabilities = new LinkedHashMap<>();
            JsonNode probs = outputs.get("probabilities");
            if (probs != null && probs.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = probs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isNumber()) {
                        throw new IllegalArgumentException("probability of '" + e.getKey() + "' is not a number");
                    }
                    probabilities.put(e.getKey(), e.getValue().asDouble());
                }
            }
            JsonNode inputs = node.get("inputs");
            if (inputs == null || !inputs.isObject()) {
                throw new IllegalArgumentException("no \"inputs\" object");
            }
            JsonNode prediction = outputs.get("prediction");
            if (prediction == null) {
                throw new IllegalArgumentException("no \"outputs.prediction\"");
            }
            return new PredictionRecord(text(node, "request_id"), time(node), node.path("model").asText(model), text(node, "version"),
                    node.path("row").asInt(0), values(inputs), scalar(prediction), probabilities,
                    node.path("latency_ms").asDouble(Double.NaN), node.has("flags"));
        }
    }

    /** Streams the feedback whose time is in {@code window}, in log order. */
    public ReadStats feedback(LogWindow window, Consumer<FeedbackRecord> sink) {
        return read(FEEDBACK, window, node -> {
            JsonNode label = node.get("label");
            JsonNode reward = node.get("reward");
            if ((label == null) == (reward == null)) {
                throw new IllegalArgumentException("needs exactly one of \"label\" and \"reward\"");
            }
            return new FeedbackRecord(text(node, "request_id"), time(node), node.path("model").asText(model),
                    node.path("served_version").asText(null), node.path("row").asInt(0),
                    label == null ? null : labelText(label), reward == null ? null : reward.asDouble());
        }, sink);
    }

    /** The text a label is compared with class names by: integral numbers without a fraction, the rest as JSON text. */
    public static String labelText(JsonNode label) {
        if (label.isIntegralNumber()) {
            return label.bigIntegerValue().toString();
        }
        if (label.isNumber() && label.asDouble() == Math.rint(label.asDouble()) && Math.abs(label.asDouble()) < 1e15) {
            return Long.toString((long) label.asDouble());
        }
        return label.asText();
    }

    @FunctionalInterface
    private interface Parse<T> {
        T parse(JsonNode node);
    }

    private <T> ReadStats read(String kind, LogWindow window, Parse<T> parse, Consumer<T> sink) {
        List<Path> files = files(kind);
        List<Instant> stamps = files.stream().map(PredictionLogReader::stamp).toList();
        int opened = 0;
        long lines = 0;
        long records = 0;
        long outside = 0;
        long malformed = 0;
        List<String> examples = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (window.until() != null && !stamps.get(i).isBefore(window.until())) {
                break; // opened at or after the end of the window: so is everything in it and after it
            }
            // Stamps have whole seconds: a successor opened strictly before the window's second means this
            // file was closed before the window started.
            if (window.since() != null && i + 1 < files.size()
                    && stamps.get(i + 1).isBefore(window.since().minusSeconds(1))) {
                continue;
            }
            opened++;
            Path file = files.get(i);
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
                        JsonNode node = mapper.readTree(line);
                        if (node == null || !node.isObject()) {
                            throw new IllegalArgumentException("not a JSON object");
                        }
                        record = parse.parse(node);
                    } catch (JsonProcessingException e) {
                        malformed++;
                        example(examples, file, number, "not valid JSON (" + e.getOriginalMessage() + ")");
                        continue;
                    } catch (IllegalArgumentException e) {
                        malformed++;
                        example(examples, file, number, e.getMessage());
                        continue;
                    }
                    Instant t = record instanceof PredictionRecord p ? p.time() : ((FeedbackRecord) record).time();
                    if (!window.contains(t)) {
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
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(modelDir)) {
            s.forEach(p -> {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(kind) && Files.isRegularFile(p)) {
                    out.add(p);
                }
            });
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot list the log folder " + modelDir + ": " + e.getMessage(),
                    Map.of("file", modelDir.toString()), e);
        }
        out.sort((a, b) -> {
            Matcher ma = FILE.matcher(a.getFileName().toString());
            Matcher mb = FILE.matcher(b.getFileName().toString());
            ma.matches();
            mb.matches();
            int c = ma.group(2).compareTo(mb.group(2));
            return c != 0 ? c : Long.compare(Long.parseLong(ma.group(3)), Long.parseLong(mb.group(3)));
        });
        return Collections.unmodifiableList(out);
    }

    private static Instant stamp(Path file) {
        Matcher m = FILE.matcher(file.getFileName().toString());
        m.matches();
        try {
            return LocalDateTime.parse(m.group(2), STAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) {
            throw new IllegalArgumentException("no \"" + field + "\"");
        }
        return v.asText();
    }

    private static Instant time(JsonNode node) {
        String t = text(node, "time");
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"time\" '" + t + "' is not an ISO instant");
        }
    }

    private static Map<String, Object> values(JsonNode inputs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), scalar(e.getValue()));
        }
        return out;
    }

    private static Object scalar(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.longValue() : v.doubleValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return v.asText();
    }

    public String model() {
        return model;
    }
}
