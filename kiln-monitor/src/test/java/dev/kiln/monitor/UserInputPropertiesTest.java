package dev.kiln.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * What a user types or writes for monitoring (windows such as {@code --since 3x}, {@code --by 1mo}, drift thresholds,
 * an alert rules file) is read or refused with a {@link KilnException} of a user-input code; never another exception,
 * which the CLI reports as a crash and a server as a 500.
 */
class UserInputPropertiesTest {
    private static <T> void readOrRefused(Supplier<T> read) {
        try {
            read.get();
            Statistics.label("outcome").collect("read");
        } catch (KilnException e) {
            Statistics.label("outcome").collect("refused");
            assertThat(e.code().category()).as(e.getMessage()).isEqualTo(ErrorCode.Category.USER_INPUT);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> windows() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().between(0, 99).map(String::valueOf),
                Arbitraries.of("999999999", "9999999999", "-1", "00", "1.5", "9223372036854775807", ""));
        Arbitrary<String> unit = Arbitraries.of("s", "m", "h", "d", "mo", "x", "", " ", "D", "ms", "y");
        Arbitrary<String> composed = Combinators.combine(number, unit).as(String::concat);
        Arbitrary<String> times = Arbitraries.of("2026-11-23", "2026-13-45", "2026-11-23T10:00:00Z", "+1000000000-01-01T00:00:00Z",
                "-999999999-01-01T00:00:00Z", "2026-02-30", "0000-00-00", "9999-12-31T23:59:59.999999999Z", "now");
        return Arbitraries.oneOf(composed, times, Arbitraries.strings().ofMaxLength(12)).injectNull(0.05);
    }

    @Property(tries = 1000)
    void windowsAndBucketsAreReadOrRefused(@ForAll("windows") String text) {
        Instant now = Instant.parse("2026-12-06T03:00:00Z");
        readOrRefused(() -> LogWindow.parseTime(text, now, "--since"));
        readOrRefused(() -> LogWindow.parseDuration(text, "--window"));
        readOrRefused(() -> {
            Buckets b = Buckets.parse(text, "--by");
            long start = b.start(now.toEpochMilli());
            assertThat(b.end(start)).isGreaterThan(start);
            return b.label();
        });
        readOrRefused(() -> new LogWindow(LogWindow.parseTime(text, now, "--since"), LogWindow.parseTime("1h", now, "--until")));
    }

    @Provide
    Arbitrary<Double> shares() {
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.doubles().between(0, 1)), Tuple.of(1, Arbitraries.doubles().between(-1, 2)),
                Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0)));
    }

    @Provide
    Arbitrary<Integer> bins() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().between(1, 1000)), Tuple.of(1, Arbitraries.integers()));
    }

    @Property(tries = 300)
    void driftThresholdsAreBuiltOrRefused(@ForAll("shares") double a, @ForAll("shares") double b, @ForAll("shares") double c,
                                          @ForAll("shares") double d, @ForAll("shares") double e, @ForAll("shares") double f,
                                          @ForAll("bins") int bins) {
        readOrRefused(() -> new DriftThresholds(a, b, c, d, e, f, bins));
    }

    /** A field's JSON: mostly one of the values it takes, sometimes one it refuses, sometimes left out (null). */
    private static Arbitrary<String> field(String name, String... values) {
        Arbitrary<String> junk = Arbitraries.of("null", "true", "-1", "1e400", "99999999999999999999999", "0.5", "\"\"",
                "\"3x\"", "[]", "{}", "\"a\\u0000b\"", "\"-bad name\"");
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(values)), Tuple.of(2, junk))
                .map(v -> "\"" + name + "\":" + v).injectNull(0.3);
    }

    private static Arbitrary<String> object(List<Arbitrary<String>> fields) {
        return Combinators.combine(fields).as(list -> "{" + String.join(",",
                list.stream().filter(java.util.Objects::nonNull).toList()) + "}");
    }

    @Provide
    Arbitrary<String> ruleFiles() {
        Arbitrary<String> rule = object(List.of(
                field("kind", "\"feature_psi\"", "\"feature_drift\"", "\"prediction_psi\"", "\"metric_drop\"",
                        "\"error_rate\"", "\"latency_p99\"", "\"feature_psi\"", "\"nope\""),
                field("name", "\"inputs-shifted\"", "\"auc-dropped\"", "\"errors\"", "\"x.y_z\""),
                field("threshold", "0.2", "0", "50", "1e308", "-0.0"),
                field("metric", "\"roc_auc\"", "\"accuracy\""),
                field("feature", "\"age\""),
                field("severity", "\"info\"", "\"warning\"", "\"critical\"", "\"fatal\""),
                field("min_labelled", "50", "0", "9223372036854775807", "9223372036854775808"),
                field("min_rows", "100", "0", "18446744073709551617")));
        Arbitrary<String> rules = rule.list().ofMinSize(1).ofMaxSize(3).map(l -> "\"rules\":[" + String.join(",", l) + "]");
        Arbitrary<String> webhook = object(List.of(
                field("url", "\"https://hooks.example.com/kiln\"", "\"http://HOOKS.example.com./x\"", "\"ftp://hooks.example.com\"",
                        "\"https://user:pw@hooks.example.com/\"", "\"https://[::1]/x\"", "\"https://h\u00e9.example/\"",
                        "\"not a url\"", "\"https://%zz/\""),
                field("allowed_hosts", "[\"hooks.example.com\"]", "[\"h\u00e9.example\"]", "[\"[::1]\"]", "[\"\"]", "[1]")))
                .map(w -> "\"webhook\":" + w).injectNull(0.4);
        Arbitrary<String> retrain = object(List.of(
                field("on", "[\"inputs-shifted\"]", "[\"errors\", \"auc-dropped\"]", "[\"error-rate\"]", "[{}]"),
                field("data", "\"/data/x.csv\"", "\"relative.csv\"", "\"a\\u0000b.csv\"", "\"\""),
                field("every", "\"30d\"", "\"0s\"", "\"1mo\"")))
                .map(r -> "\"retrain\":" + r).injectNull(0.4);
        Arbitrary<String> top = Combinators.combine(field("window", "\"24h\"", "\"90s\"", "\"7d\"", "\"0h\"", "\"1y\""),
                        field("every", "\"5m\"", "\"1d\"", "\"9999999999s\""), rules, webhook, retrain,
                        field("other", "1").injectNull(0.9))
                .as((window, every, r, hook, re, other) -> "{" + String.join(",",
                        java.util.stream.Stream.of(window, every, r, hook, re, other).filter(java.util.Objects::nonNull).toList()) + "}");
        return Arbitraries.frequencyOf(Tuple.of(10, top), Tuple.of(1, Arbitraries.strings().ofMaxLength(20)),
                Tuple.of(1, Arbitraries.of("[]", "null", "{}", "{\"rules\":[]}", "{\"rules\":[null]}", "{\"rules\":{}}")));
    }

    @Property(tries = 1000)
    void alertRulesAreReadOrRefused(@ForAll("ruleFiles") String json) {
        readOrRefused(() -> AlertRules.parse(json, Path.of("/tmp")));
    }

    @Provide
    Arbitrary<String> urls() {
        Arbitrary<String> host = Arbitraries.oneOf(Arbitraries.of("hooks.example.com", "HOOKS.EXAMPLE.COM.", "[::1]", "h\u00e9.example",
                "xn--h-9fa.example", "", "a..b", "hooks.example.com:99999"), Arbitraries.strings().ofMaxLength(8));
        Arbitrary<String> scheme = Arbitraries.of("https://", "http://", "HTTPS://", "file://", "", "https:", "https://u:p@");
        Arbitrary<String> path = Arbitraries.of("/x", "", "/%zz", "?q=1", "#f", "/ a");
        return Combinators.combine(scheme, host, path).as((a, b, c) -> a + b + c);
    }

    @Property(tries = 500)
    void webhookUrlsAreReadOrRefused(@ForAll("urls") String url) {
        readOrRefused(() -> AlertRules.webhookUrl(url, java.util.Set.of("hooks.example.com", "xn--h-9fa.example", "[::1]"),
                "--webhook"));
    }
}
