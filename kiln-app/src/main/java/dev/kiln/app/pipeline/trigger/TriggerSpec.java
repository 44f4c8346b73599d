package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * What starts a pipeline: changes of the data source {@code data} (a file, glob or directory, relative to
 * {@code baseDir}; null for none), the cron schedule {@code cron} in {@code zone} (null for none; zone null for
 * UTC), and monitoring alerts of the rules {@code alertRules} opening on the served model {@code model}; the
 * sources are looked at every {@code poll}.
 */
public record TriggerSpec(String data, Path baseDir, String cron, ZoneId zone, String model, List<String> alertRules,
                          Duration poll) {
    public TriggerSpec {
        alertRules = alertRules == null ? List.of() : List.copyOf(alertRules);
        zone = zone == null ? ZoneId.of("UTC") : zone;
        baseDir = baseDir == null ? Path.of("") : baseDir;
        if (poll == null || poll.isNegative() || poll.isZero()) {
            throw bad("poll", "the poll interval must be positive, not " + poll);
        }
        if (data != null && data.isBlank()) {
            throw bad("data", "the data source to watch is blank");
        }
        if (!alertRules.isEmpty() && (model == null || model.isBlank())) {
            throw bad("model", "alert triggers " + alertRules + " need the served model whose alerts they watch");
        }
        if (alertRules.stream().anyMatch(r -> r == null || r.isBlank())) {
            throw bad("alerts", "an alert rule name is blank");
        }
        if (data == null && cron == null && alertRules.isEmpty()) {
            throw bad("triggers", "a pipeline watch needs at least one trigger: data, a cron schedule, or alert rules");
        }
        if (cron != null) {
            CronSchedule.parse(cron);
        }
    }

    private static KilnException bad(String field, String message) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, Map.of("field", field));
    }
}
