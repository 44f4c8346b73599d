package dev.kiln.app.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static ZonedDateTime at(String local, ZoneId zone) {
        return LocalDateTime.parse(local).atZone(zone);
    }

    private static String next(String cron, String after, ZoneId zone) {
        return CronSchedule.parse(cron).next(at(after, zone)).toLocalDateTime().toString();
    }

    @Test
    void commonSchedules() {
        ZoneId utc = ZoneId.of("UTC");
        assertThat(next("*/15 * * * *", "2026-03-01T10:07:30", utc)).isEqualTo("2026-03-01T10:15");
        assertThat(next("*/15 * * * *", "2026-03-01T10:15", utc)).as("strictly after").isEqualTo("2026-03-01T10:30");
        assertThat(next("0 3 * * *", "2026-03-01T10:07", utc)).isEqualTo("2026-03-02T03:00");
        assertThat(next("30 9 * * 1-5", "2026-03-06T10:00", utc)).as("Friday, so Monday next").isEqualTo("2026-03-09T09:30");
        assertThat(next("0 0 1 JAN,jul *", "2026-03-01T00:00", utc)).isEqualTo("2026-07-01T00:00");
        assertThat(next("0 12 * * SUN", "2026-03-01T12:00", utc)).isEqualTo("2026-03-08T12:00");
        assertThat(next("0 12 * * 7", "2026-03-01T12:00", utc)).as("Sunday as 7").isEqualTo("2026-03-08T12:00");
        assertThat(next("0 0 29 2 *", "2026-03-01T00:00", utc)).isEqualTo("2028-02-29T00:00");
        assertThat(next("0 0 13 * FRI", "2026-03-01T00:00", utc)).as("the 13th or a Friday").isEqualTo("2026-03-06T00:00");
        assertThat(next("0 0 */2 * MON", "2026-03-01T00:00", utc)).as("a day field starting with * means AND")
                .isEqualTo("2026-03-09T00:00");
        assertThat(next("0 0 */14 3 SUN", "2026-03-30T00:00", utc)).as("March 1, 15 or 29 on a Sunday: eleven years on")
                .isEqualTo("2037-03-01T00:00");
        assertThat(next("5/20 1-3/2 * * *", "2026-03-01T00:00", utc)).isEqualTo("2026-03-01T01:05");
        assertThat(next("@hourly", "2026-03-01T10:07", utc)).isEqualTo("2026-03-01T11:00");
        assertThat(next("@daily", "2026-03-01T10:07", utc)).isEqualTo("2026-03-02T00:00");
        assertThat(next("@weekly", "2026-03-01T10:07", utc)).isEqualTo("2026-03-08T00:00");
        assertThat(next("@monthly", "2026-03-01T10:07", utc)).isEqualTo("2026-04-01T00:00");
        assertThat(CronSchedule.parse(" @DAILY ").expression()).isEqualTo("@DAILY");
    }

    @Test
    void daylightSavingSkipsAMissingTimeAndRepeatsADoubledOne() {
        // Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00
        assertThat(next("30 2 * * *", "2026-03-28T12:00", BERLIN)).isEqualTo("2026-03-30T02:30");
        ZonedDateTime first = CronSchedule.parse("30 2 * * *").next(at("2026-10-24T12:00", BERLIN));
        ZonedDateTime second = CronSchedule.parse("30 2 * * *").next(first);
        assertThat(first.toLocalDateTime()).isEqualTo(second.toLocalDateTime());
        assertThat(Duration.between(first.toInstant(), second.toInstant())).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void errorsNameTheFieldAndTheBadToken() {
        assertBad("0 25 * * *", "hour", "25");
        assertBad("61 * * * *", "minute", "61");
        assertBad("0 0 0 * *", "day-of-month", "0");
        assertBad("0 0 * FOO *", "month", "FOO");
        assertBad("0 0 * * MOX", "day-of-week", "MOX");
        assertBad("*/0 * * * *", "minute", "*/0");
        assertBad("0 5-2 * * *", "hour", "5-2");
        assertBad("0 1,,2 * * *", "hour", "1,,2");
        assertBad("0 0 31 2 *", "day-of-month", "31");
        assertBad("0 0 * *", "cron", "4 fields");
        assertBad("@often", "cron", "@often");
        assertBad("", "cron", "cron schedule is needed");
    }

    private static void assertBad(String cron, String field, String inMessage) {
        assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(KilnException.class).satisfies(e -> {
            KilnException k = (KilnException) e;
            assertThat(k.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(k.getMessage()).contains(inMessage);
            assertThat(k.details()).containsEntry("field", field);
        });
    }

    // ---------------------------------------------------------------- against a brute-force scan

    /** One field: the text written and the values it stands for. */
    record Field(String text, Set<Integer> values) {
    }

    @Property(tries = 300, edgeCases = net.jqwik.api.EdgeCasesMode.MIXIN)
    void nextIsTheFirstMatchingMinuteOfABruteForceScan(@ForAll("schedules") List<Field> fields,
                                                       @ForAll("starts") ZonedDateTime after) {
        String cron = String.join(" ", fields.stream().map(Field::text).toList());
        boolean eitherDay = !fields.get(2).text().startsWith("*") && !fields.get(4).text().startsWith("*");
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(cron);
        } catch (KilnException e) {
            assertThat(e.getMessage()).as(cron).contains("never fires");
            return;
        }
        Instant bound = after.toInstant().plus(Duration.ofDays(70));
        Instant t = after.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(60);
        while (t.isBefore(bound) && !matches(fields, eitherDay, LocalDateTime.ofInstant(t, after.getZone()))) {
            t = t.plusSeconds(60);
        }
        ZonedDateTime next = schedule.next(after);
        if (t.isBefore(bound)) {
            assertThat(next.toInstant()).as(cron + " after " + after).isEqualTo(t);
            assertThat(next.getZone()).isEqualTo(after.getZone());
        } else {
            assertThat(next.toInstant()).as(cron + " after " + after).isAfterOrEqualTo(bound);
        }
    }

    private static boolean matches(List<Field> f, boolean eitherDay, LocalDateTime t) {
        boolean dom = f.get(2).values().contains(t.getDayOfMonth());
        int dowValue = t.getDayOfWeek().getValue() % 7;
        boolean dow = f.get(4).values().contains(dowValue) || (dowValue == 0 && f.get(4).values().contains(7));
        return f.get(0).values().contains(t.getMinute()) && f.get(1).values().contains(t.getHour())
                && f.get(3).values().contains(t.getMonthValue()) && (eitherDay ? dom || dow : dom && dow);
    }

    @Provide
    Arbitrary<List<Field>> schedules() {
        return Combinators.combine(field(0, 59, List.of()), field(0, 23, List.of()), field(1, 31, List.of()),
                field(1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
                field(0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))).as(List::of);
    }

    /** A field in one of the forms cron allows, with the values it means; names sometimes for months and days. */
    private static Arbitrary<Field> field(int min, int max, List<String> names) {
        int starMax = max == 7 ? 6 : max;
        Arbitrary<Integer> value = Arbitraries.integers().between(min, max);
        Arbitrary<Integer> step = Arbitraries.integers().between(1, Math.max(2, (starMax - min) / 2));
        Arbitrary<Field> star = Arbitraries.just(new Field("*", range(min, starMax, 1)));
        Arbitrary<Field> starStep = step.map(s -> new Field("*/" + s, range(min, starMax, s)));
        Arbitrary<Field> single = Combinators.combine(value, Arbitraries.of(true, false))
                .as((v, named) -> new Field(name(v, min, names, named), Set.of(v)));
        Arbitrary<Field> range = Combinators.combine(value, value, step, Arbitraries.of(true, false)).as((a, b, s, stepped) -> {
            int lo = Math.min(a, b);
            int hi = Math.max(a, b);
            return stepped ? new Field(lo + "-" + hi + "/" + s, range(lo, hi, s)) : new Field(lo + "-" + hi, range(lo, hi, 1));
        });
        Arbitrary<Field> list = value.set().ofMinSize(1).ofMaxSize(5).map(vs -> new Field(
                String.join(",", vs.stream().map(String::valueOf).toList()), new TreeSet<>(vs)));
        return Arbitraries.frequencyOf(Tuple.of(3, star), Tuple.of(2, starStep), Tuple.of(2, single), Tuple.of(2, range),
                Tuple.of(2, list));
    }

    private static String name(int v, int min, List<String> names, boolean named) {
        if (!named || names.isEmpty() || v - min >= names.size()) {
            return String.valueOf(v);
        }
        return names.get(v - min);
    }

    private static Set<Integer> range(int lo, int hi, int step) {
        Set<Integer> out = new TreeSet<>();
        for (int v = lo; v <= hi; v += step) {
            out.add(v);
        }
        return out;
    }

    @Provide
    Arbitrary<ZonedDateTime> starts() {
        Arbitrary<ZoneId> zones = Arbitraries.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                "Asia/Kolkata").map(ZoneId::of);
        // around 2026, and often within days of a daylight-saving change
        Arbitrary<Long> seconds = Arbitraries.oneOf(
                Arbitraries.longs().between(1_767_225_600L, 1_830_297_600L),
                Arbitraries.of(1_774_746_000L, 1_792_890_000L, 1_772_953_200L, 1_775_318_400L)
                        .flatMap(s -> Arbitraries.longs().between(s - 86_400 * 2, s + 3_600 * 3)));
        return Combinators.combine(seconds, zones).as((s, z) -> Instant.ofEpochSecond(s).atZone(z));
    }

    @Test
    void aScheduleThatNeverMatchesInBoundIsFoundFurtherOut() {
        List<String> seen = new ArrayList<>();
        ZonedDateTime t = at("2026-01-01T00:00", ZoneId.of("UTC"));
        for (int i = 0; i < 3; i++) {
            t = CronSchedule.parse("0 0 29 2 *").next(t);
            seen.add(t.toLocalDate().toString());
        }
        assertThat(seen).containsExactly("2028-02-29", "2032-02-29", "2036-02-29");
    }
}
