package dev.kiln.app.monitoring;

import dev.kiln.kafka.KafkaLogLines;
import dev.kiln.kafka.KafkaUri;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the commands that read a served model's prediction log read it from: the files under a folder (the server's
 * {@code --log-dir}), or a Kafka topic ({@code --log-source kafka://HOST:PORT/TOPIC}, what {@code kiln serve
 * --log-sink} sent). Exactly one of {@code dir} and {@code kafka}.
 */
public record LogSource(Path dir, KafkaUri kafka, String option) {
    public static final String OPTION = "--log-source";

    /**
     * {@code --log-source} when given (a {@code kafka://} URI; with {@code --log-dir} too it is an error), else the
     * folder {@code logDir}, else {@code defaultDir}.
     */
    public static LogSource of(String logSource, Path logDir, Path defaultDir) {
        if (logSource == null) {
            return new LogSource(logDir != null ? logDir : defaultDir, null, "--log-dir");
        }
        if (logDir != null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "give --log-dir or " + OPTION + ", not both",
                    Map.of("option", OPTION));
        }
        return new LogSource(null, KafkaUri.parse(logSource, OPTION), OPTION);
    }

    /** The log of {@code model}, whether or not there is one. */
    public PredictionLogReader reader(String model) {
        return kafka == null ? new PredictionLogReader(dir, model)
                : new PredictionLogReader(model, new KafkaLogLines(kafka, option, model));
    }

    /** The log of {@code model}; not found when the server never wrote one there (or there is no such topic). */
    public PredictionLogReader open(String model) {
        return kafka == null ? Monitoring.openLog(dir, model) : Monitoring.openLog(reader(model));
    }
}
