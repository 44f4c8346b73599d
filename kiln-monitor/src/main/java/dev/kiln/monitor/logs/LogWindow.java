package dev.kiln.monitor.logs;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** A half-open time window {@code [since, until)}; either end may be open (null). */
public record LogWindow(Instant since, Instant until) {
    public static final LogWindow ALL = new LogWindow(null, null);

    public LogWindow {
        if (since != null && until != null && !since.isBefore(until)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the window is empty: --since " + since
                    + " is not before --until " + until, Map.of("field", "since"));
        }
    }

    public boolean contains(Instant t) {
        return (since == null || !t.isBefore(since)) && (until == null || t.isBefore(until));
    }

    /**
     * Parses a window end as the CLI takes it: an ISO instant ({@code 2026-11-23T10:00:00Z}), a date
     * ({@code 2026-11-23}, midnight UTC) or a duration back from {@code now} ({@code 30m}, {@code 24h}, {@code 7d}).
     * Null or blank gives null (open).
     */
    public static Instant parseTime(String text, Instant now, String option) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            if (t.matches("\\d+[smhd]")) {
                return now.minus(parseDuration(t, option));
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not a time: use an ISO instant "
                    + "(2026-11-23T10:00:00Z), a date (2026-11-23) or an age such as 30m, 24h or 7d", Map.of("field", option));
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}. */
    public static Duration parseDuration(String text, String option) {
        String t = text == null ? "" : text.trim();
        if (!t.matches("\\d{1,9}[smhd]")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not a duration: use a whole number "
                    + "followed by s, m, h or d (90s, 30m, 24h, 7d)", Map.of("field", option));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        Duration d = switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " must be longer than zero", Map.of("field", option));
        }
        return d;
    }
}
