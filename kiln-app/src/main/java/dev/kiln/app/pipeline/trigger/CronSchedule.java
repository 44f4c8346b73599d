package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron schedule: minute, hour, day of month, month, day of week, each {@code *}, a value,
 * a range {@code a-b}, a step {@code * /n}, {@code a-b/n} or {@code a/n}, or a comma list of these; months and
 * days of week also by name ({@code JAN}, {@code MON}), Sunday as 0 or 7; {@code @hourly}, {@code @daily}
 * ({@code @midnight}), {@code @weekly}, {@code @monthly}, {@code @yearly} ({@code @annually}). As in Vixie cron,
 * when both day fields are restricted (neither starts with {@code *}) a day matches if either matches.
 * The schedule is in wall-clock time: it fires at each minute whose local time in the zone matches, so a time
 * skipped by a daylight-saving jump does not fire and a repeated one fires twice.
 */
public final class CronSchedule {
    private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 7};
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final Map<String, String> MACROS = Map.of("@hourly", "0 * * * *", "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *", "@weekly", "0 0 * * 0", "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    /**
     * The Gregorian calendar repeats every 400 years, so a schedule that has not fired in 400 years never will. Ten years
     * was too short: a day field starting with '*' ANDs the days, and '* * *&#47;14 3 SUN' (March 1, 15 or 29 on a Sunday)
     * can wait eleven. The scan jumps whole days and months, so 400 years is at most ~146,000 steps.
     */
    private static final int SEARCH_YEARS = 400;

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean eitherDay;

    private CronSchedule(String expression, BitSet[] sets, boolean eitherDay) {
        this.expression = expression;
        this.minutes = sets[0];
        this.hours = sets[1];
        this.daysOfMonth = sets[2];
        this.months = sets[3];
        this.daysOfWeek = sets[4];
        this.eitherDay = eitherDay;
    }

    /** Parses {@code expression}; INVALID_ARGUMENT naming the field and the bad token when it is not valid cron. */
    public static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw bad("a cron schedule is needed, such as '0 3 * * *'", null, null, String.valueOf(expression));
        }
        String text = expression.trim();
        String fields = text.startsWith("@") ? MACROS.get(text.toLowerCase(Locale.ROOT)) : text;
        if (fields == null) {
            throw bad("unknown cron macro '" + text + "': use @hourly, @daily, @weekly, @monthly or @yearly", null, text, text);
        }
        String[] parts = fields.split("\\s+");
        if (parts.length != 5) {
            throw bad("cron schedule '" + text + "' has " + parts.length
                    + " fields, not 5 (minute hour day-of-month month day-of-week)", null, null, text);
        }
        BitSet[] sets = new BitSet[5];
        for (int f = 0; f < 5; f++) {
            sets[f] = field(f, parts[f], text);
        }
        if (sets[4].get(7)) { // Sunday is 0 or 7
            sets[4].clear(7);
            sets[4].set(0);
        }
        boolean domRestricted = !parts[2].startsWith("*");
        boolean dowRestricted = !parts[4].startsWith("*");
        if (!dowRestricted || !domRestricted) {
            requirePossibleDay(sets[2], sets[3], parts[2], text);
        }
        return new CronSchedule(text, sets, domRestricted && dowRestricted);
    }

    /** The expression as given. */
    public String expression() {
        return expression;
    }

    /** Whether the schedule fires at the minute of this local time. */
    public boolean matches(LocalDateTime t) {
        if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
            return false;
        }
        return dayMatches(t);
    }

    /** The first whole minute strictly after {@code after} at which the schedule fires, in {@code after}'s zone. */
    public ZonedDateTime next(ZonedDateTime after) {
        ZoneId zone = after.getZone();
        Instant t = after.toInstant().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        Instant limit = after.toInstant().plus(Duration.ofDays(366L * SEARCH_YEARS));
        while (t.isBefore(limit)) {
            LocalDateTime local = LocalDateTime.ofInstant(t, zone);
            LocalDateTime target; // the next local time that may match; nothing between local and it does
            if (!months.get(local.getMonthValue())) {
                target = local.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
            } else if (!dayMatches(local)) {
                target = local.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!hours.get(local.getHour())) {
                target = local.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(local.getMinute())) {
                int m = minutes.nextSetBit(local.getMinute());
                target = m < 0 ? local.truncatedTo(ChronoUnit.HOURS).plusHours(1) : local.withMinute(m);
            } else {
                return ZonedDateTime.ofInstant(t, zone);
            }
            // Move by the same wall-clock distance, but never past a change of offset, where local time jumps.
            Instant moved = t.plus(Duration.between(local, target));
            ZoneOffsetTransition change = zone.getRules().nextTransition(t);
            t = change != null && change.getInstant().isBefore(moved) ? change.getInstant() : moved;
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cron schedule '" + expression + "' never fires",
                Map.of("field", "cron", "cron", expression));
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        return eitherDay ? dom || dow : dom && dow;
    }

    @Override
    public String toString() {
        return expression;
    }

    // ---------------------------------------------------------------- parsing

    private static BitSet field(int f, String text, String expression) {
        BitSet out = new BitSet();
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw bad("empty list item in the cron " + FIELDS.get(f) + " field '" + text + "'", f, text, expression);
            }
            int step = 1;
            String range = item;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(f, item.substring(slash + 1), item, expression);
                if (step < 1) {
                    throw bad("the step in the cron " + FIELDS.get(f) + " field must be at least 1: '" + item + "'", f, item, expression);
                }
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = MIN[f];
                hi = f == 4 ? 6 : MAX[f];
            } else {
                int dash = range.indexOf('-');
                lo = value(f, dash < 0 ? range : range.substring(0, dash), item, expression);
                hi = dash < 0 ? (slash >= 0 ? (f == 4 ? 6 : MAX[f]) : lo) : value(f, range.substring(dash + 1), item, expression);
                if (hi < lo) {
                    throw bad("the range '" + range + "' in the cron " + FIELDS.get(f) + " field runs backwards", f, item, expression);
                }
            }
            for (int v = lo; v <= hi; v += step) {
                out.set(v);
            }
        }
        return out;
    }

    private static int value(int f, String token, String item, String expression) {
        String upper = token.toUpperCase(Locale.ROOT);
        int named = f == 3 ? MONTHS.indexOf(upper) : f == 4 ? DAYS.indexOf(upper) : -1;
        if (named >= 0) {
            return f == 3 ? named + 1 : named;
        }
        int v = number(f, token, item, expression);
        if (v < MIN[f] || v > MAX[f]) {
            throw bad("'" + token + "' is out of range for the cron " + FIELDS.get(f) + " field (" + MIN[f] + "-" + MAX[f] + ")",
                    f, token, expression);
        }
        return v;
    }

    private static int number(int f, String token, String item, String expression) {
        if (!token.matches("[0-9]{1,4}")) {
            String names = f == 3 ? ", or JAN-DEC" : f == 4 ? ", or SUN-SAT" : "";
            throw bad("bad token '" + token + "' in the cron " + FIELDS.get(f) + " field '" + item + "': expected *, a number"
                    + names + ", a range a-b or a step /n", f, token, expression);
        }
        return Integer.parseInt(token);
    }

    /** With the day of week unrestricted, some chosen day of month must exist in some chosen month. */
    private static void requirePossibleDay(BitSet days, BitSet months, String text, String expression) {
        for (int m = months.nextSetBit(1); m >= 0; m = months.nextSetBit(m + 1)) {
            if (days.nextSetBit(1) <= Month.of(m).maxLength()) {
                return;
            }
        }
        throw bad("the cron day-of-month field '" + text + "' names no day that exists in the chosen months, so it never fires",
                2, text, expression);
    }

    private static KilnException bad(String message, Integer field, String token, String expression) {
        Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("field", field == null ? "cron" : FIELDS.get(field));
        if (token != null) {
            details.put("token", token);
        }
        details.put("cron", expression);
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, details);
    }
}
