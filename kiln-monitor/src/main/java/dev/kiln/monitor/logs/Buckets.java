package dev.kiln.monitor.logs;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * How rows are grouped into report windows: fixed widths counted from the epoch ({@code 1h}, {@code 1d},
 * {@code 7d}), or calendar months in UTC ({@code 1mo}, {@code 3mo} — quarters start in January, April, July
 * and October), or calendar weeks in UTC starting on Mondays ({@link Weeks}, what a monitoring page shows).
 */
public sealed interface Buckets {
    /** The start (epoch milliseconds) of the window holding {@code epochMillis}. */
    long start(long epochMillis);

    /** The end (excluded) of the window starting at {@code start}. */
    long end(long start);

    /** The text this was parsed from, in canonical form. */
    String label();

    static Buckets of(Duration width) {
        return new Fixed(width);
    }

    /** {@code Nmo} for calendar months, else a duration as {@link LogWindow#parseDuration} reads it. */
    static Buckets parse(String text, String option) {
        String t = text == null ? "" : text.trim();
        if (t.matches("\\d{1,3}mo")) {
            int n = Integer.parseInt(t.substring(0, t.length() - 2));
            if (n < 1 || 12 % n != 0 && n % 12 != 0) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "': months must divide a year "
                        + "(1mo, 2mo, 3mo, 4mo, 6mo) or be whole years (12mo, 24mo)", Map.of("field", option));
            }
            return new Months(n);
        }
        return new Fixed(LogWindow.parseDuration(t, option));
    }

    record Fixed(Duration width) implements Buckets {
        public Fixed {
            if (width == null || width.isZero() || width.isNegative()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a window must be longer than zero", Map.of("field", "window"));
            }
        }

        @Override
        public long start(long epochMillis) {
            long w = width.toMillis();
            return Math.floorDiv(epochMillis, w) * w;
        }

        @Override
        public long end(long start) {
            return start + width.toMillis();
        }

        @Override
        public String label() {
            long s = width.getSeconds();
            if (s % 86_400 == 0) {
                return s / 86_400 + "d";
            }
            if (s % 3_600 == 0) {
                return s / 3_600 + "h";
            }
            if (s % 60 == 0) {
                return s / 60 + "m";
            }
            return s + "s";
        }
    }

    /** ISO weeks in UTC: Monday 00:00 to the next Monday. */
    record Weeks() implements Buckets {
        private static final long WEEK = Duration.ofDays(7).toMillis();
        /** 1970-01-01 was a Thursday: the first Monday is four days later. */
        private static final long FIRST_MONDAY = Duration.ofDays(4).toMillis();

        @Override
        public long start(long epochMillis) {
            return Math.floorDiv(epochMillis - FIRST_MONDAY, WEEK) * WEEK + FIRST_MONDAY;
        }

        @Override
        public long end(long start) {
            return start + WEEK;
        }

        @Override
        public String label() {
            return "1w";
        }
    }

    record Months(int months) implements Buckets {
        public Months {
            if (months < 1) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a window of months must be at least 1mo, got " + months
                        + "mo", Map.of("field", "window"));
            }
        }

        @Override
        public long start(long epochMillis) {
            LocalDate d = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
            long index = Math.floorDiv(d.getYear() * 12L + d.getMonthValue() - 1, months) * months;
            return LocalDate.of((int) Math.floorDiv(index, 12), (int) Math.floorMod(index, 12) + 1, 1)
                    .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }

        @Override
        public long end(long start) {
            return Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC).plusMonths(months).toInstant().toEpochMilli();
        }

        @Override
        public String label() {
            return months + "mo";
        }
    }
}
