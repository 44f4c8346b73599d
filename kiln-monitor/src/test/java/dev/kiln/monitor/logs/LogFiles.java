package dev.kiln.monitor.logs;

import dev.kiln.runtime.log.LogFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes log files in the layout ({@link LogFormat#fileName}) and record format of kiln-serve's PredictionLog, for tests. */
public final class LogFiles {
    private LogFiles() {
    }

    public static Path write(Path logDir, String model, String kind, String stamp, int seq, List<String> lines) throws IOException {
        Path dir = Files.createDirectories(logDir.resolve(model));
        Path file = dir.resolve(LogFormat.fileName(kind, LocalDateTime.parse(stamp, LogFormat.STAMP).toInstant(ZoneOffset.UTC), seq));
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** One binary prediction record as the server logs it. */
    public static String prediction(String requestId, String time, String version, int row, String inputsJson,
                                    String predicted, double pBad) {
        return String.format(Locale.ROOT, "{\"request_id\":\"%s\",\"time\":\"%s\",\"model\":\"credit\",\"version\":\"%s\","
                        + "\"row\":%d,\"inputs\":%s,\"outputs\":{\"prediction\":\"%s\",\"probabilities\":{\"good\":%s,\"bad\":%s}},"
                        + "\"latency_ms\":1.5}", requestId, time, version, row, inputsJson, predicted,
                Double.toString(1 - pBad), Double.toString(pBad));
    }

    public static String label(String requestId, String time, String label) {
        return String.format(Locale.ROOT, "{\"request_id\":\"%s\",\"time\":\"%s\",\"model\":\"credit\",\"served_version\":\"1\","
                + "\"label\":\"%s\",\"feedback_id\":\"f-%s\"}", requestId, time, label, requestId);
    }

    public static String reward(String requestId, String time, double reward) {
        return String.format(Locale.ROOT, "{\"request_id\":\"%s\",\"time\":\"%s\",\"model\":\"credit\",\"served_version\":\"1\","
                + "\"reward\":%s,\"feedback_id\":\"f-%s\"}", requestId, time, Double.toString(reward), requestId);
    }

    static Map<String, Object> none() {
        return Map.of();
    }
}
