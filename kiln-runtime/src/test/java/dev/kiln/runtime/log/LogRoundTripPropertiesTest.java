package dev.kiln.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.log.LoggedPrediction.LoggedFlag;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random records written by {@link LogLineWriter} are read back equal by {@link LogReader}, each on one line. Equal as
 * the format defines it: integers come back as longs, and a non-finite number where any value may stand (an input, a
 * prediction, a flag's value) comes back as its name, {@code "NaN"}, since it is written as that string.
 */
class LogRoundTripPropertiesTest {
    record Written(TestRows.Row row, boolean shadow, String servedVersion, Object servedPrediction) {
    }

    @Property(tries = 500)
    void predictionsAndShadowsComeBackEqual(@ForAll("written") Written w) throws Exception {
        LogLineWriter writer = new LogLineWriter();
        if (w.shadow()) {
            writer.shadow(w.row(), w.servedVersion(), w.servedPrediction());
        } else {
            writer.prediction(w.row());
        }
        String line = new String(writer.bytes(), 0, writer.size(), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n");
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        TestRows.Row r = w.row();
        LoggedPrediction expected = new LoggedPrediction(r.requestId(), r.id(), r.time(), r.model(), r.version(), r.row(),
                inputs(r), value(r.prediction()), r.probabilities(), r.explanation() == null ? null : map(r.explanation()),
                r.flags().stream().map(f -> new LoggedFlag(f.column(), value(f.value()), f.valueLength(), f.reason())).toList(),
                r.latencyMs(), w.shadow() ? w.servedVersion() : null, w.shadow() ? value(w.servedPrediction()) : null);
        assertThat(LogReader.prediction(line)).isEqualTo(expected);
    }

    @Property(tries = 500)
    void feedbackComesBackEqual(@ForAll("feedback") FeedbackEntry f) throws Exception {
        LogLineWriter writer = new LogLineWriter();
        writer.feedback(f);
        String line = new String(writer.bytes(), 0, writer.size(), StandardCharsets.UTF_8);
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        assertThat(LogReader.feedback(line)).isEqualTo(new FeedbackEntry(f.requestId(), f.time(), f.model(), f.servedVersion(),
                f.row(), value(f.label()), f.reward(), f.feedbackId()));
    }

    private static Map<String, Object> inputs(TestRows.Row r) {
        if (r.inputs() instanceof Object[] columns) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < columns.length; i++) {
                out.put(r.fields().get(i).name(), value(columns[i]));
            }
            return out;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) r.inputs();
        return map(m);
    }

    private static Map<String, Object> map(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object value(Object v) {
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof Double d && !Double.isFinite(d)) {
            return d.toString();
        }
        if (v instanceof Map<?, ?> m) {
            return map((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(LogRoundTripPropertiesTest::value).toList();
        }
        return v;
    }

    static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(24),
                Arbitraries.strings().ascii().ofMaxLength(24),
                Arbitraries.of("", "😀", "日本語", "\"", "\\", "a\"b\\c\nd", "\u2028", "NaN", "null"),
                Arbitraries.strings().withChars('x').ofLength(LogFormat.MAX_FLAG_VALUE_CHARS + 1));
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e20, 1.0));
    }

    static Arbitrary<Object> scalar() {
        return Arbitraries.oneOf(text().map(s -> (Object) s), doubles().map(d -> (Object) d),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(64), BigInteger.TWO.pow(200)).map(b -> (Object) b));
    }

    static Arbitrary<Instant> times() {
        return Combinators.combine(Arbitraries.longs().between(0, 4_102_444_800L), Arbitraries.oneOf(Arbitraries.just(0),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000), Arbitraries.integers().between(0, 999_999_999)))
                .as(Instant::ofEpochSecond);
    }

    @Provide
    Arbitrary<Written> written() {
        Arbitrary<List<String>> names = text().list().ofMinSize(1).ofMaxSize(6).uniqueElements();
        Arbitrary<Object> inputs = names.flatMap(n -> Arbitraries.oneOf(
                scalar().list().ofSize(n.size()).map(v -> (Object) new Object[][] {v.toArray(), n.toArray()}),
                scalar().list().ofSize(n.size()).map(v -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n.size(); i++) {
                        m.put(n.get(i), v.get(i));
                    }
                    return (Object) m;
                })));
        Arbitrary<Map<String, Double>> probabilities = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.maps(text(), Arbitraries.oneOf(doubles(), Arbitraries.just(null))).ofMaxSize(4).map(LinkedHashMap::new));
        Arbitrary<List<LoggedFlag>> flags = Combinators.combine(text(), scalar(), Arbitraries.integers().between(257, 1 << 20)
                .injectNull(0.7), text()).as(LoggedFlag::new).list().ofMaxSize(3);
        Arbitrary<Map<String, Object>> explanation = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.maps(text(), Arbitraries.oneOf(scalar(), scalar().list().ofMaxSize(3).map(l -> (Object) l)))
                        .ofMaxSize(4).map(LinkedHashMap::new));
        Arbitrary<TestRows.Row> rows = Combinators.combine(text(), text().injectNull(0.5), times(), text(), text(),
                Arbitraries.integers().between(0, 10_000), inputs, scalar()).flatAs((requestId, id, time, model, version, row, in, prediction) ->
                Combinators.combine(probabilities, flags, doubles(), explanation).as((p, f, latency, e) -> {
                    Object sent = in;
                    List<Field> fields = List.of();
                    if (in instanceof Object[][] columnsAndNames) {
                        sent = columnsAndNames[0];
                        List<Field> named = new ArrayList<>();
                        for (Object n : columnsAndNames[1]) {
                            named.add(new Field((String) n, ColumnType.CATEGORICAL, true));
                        }
                        fields = List.copyOf(named);
                    }
                    return new TestRows.Row(requestId, id, time, model, version, row, fields, sent, prediction, p, f, latency, e);
                }));
        return Combinators.combine(rows, Arbitraries.of(true, false), text().injectNull(0.2), scalar()).as(Written::new);
    }

    @Provide
    Arbitrary<FeedbackEntry> feedback() {
        Arbitrary<Object> label = Arbitraries.oneOf(text().map(s -> (Object) s), Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b), doubles().map(d -> (Object) d));
        return Combinators.combine(text(), times(), text(), text().injectNull(0.2), Arbitraries.integers().between(0, 1000).injectNull(0.5),
                Arbitraries.of(true, false), label, doubles()).as((requestId, time, model, served, row, labelled, l, reward) ->
                new FeedbackEntry(requestId, time, model, served, row, labelled ? l : null, labelled ? null : reward, "f-" + requestId));
    }
}
