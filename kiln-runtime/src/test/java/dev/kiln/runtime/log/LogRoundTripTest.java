package dev.kiln.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.log.LoggedPrediction.LoggedFlag;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of record the writer writes ({@link LogLineWriter} into a {@link RotatingFileSink}) is read back equal by
 * the reader ({@link LogReader}): predictions with and without an explanation, shadow rows, feedback with a label and
 * with a reward, several rows of one request, and odd values.
 */
class LogRoundTripTest {
    @TempDir
    Path dir;

    private static final Instant T = Instant.parse("2026-11-23T17:01:02.123456Z");
    private static final List<Field> FIELDS = List.of(new Field("duration", ColumnType.INTEGER, true),
            new Field("purpose", ColumnType.CATEGORICAL, true), new Field("amount \"€\"", ColumnType.NUMERIC, true));

    private static Map<String, Double> probabilities(double good, double bad) {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("good", good);
        p.put("bad", bad);
        return p;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static LoggedPrediction expected(TestRows.Row r, Map<String, Object> inputs, Object prediction,
                                             String servedVersion, Object servedPrediction) {
        return new LoggedPrediction(r.requestId(), r.id(), r.time(), r.model(), r.version(), r.row(), inputs, prediction,
                r.probabilities(), r.explanation(), r.flags(), r.latencyMs(), servedVersion, servedPrediction);
    }

    @Test
    void everyKindOfRecordIsReadBackEqual() throws Exception {
        List<TestRows.Row> rows = new ArrayList<>();
        List<LoggedPrediction> want = new ArrayList<>();
        // 1-3: one request of three rows, the instance as the model's columns (the direct serializer's row).
        for (int i = 0; i < 3; i++) {
            TestRows.Row r = new TestRows.Row("req-1", null, T, "credit", "gbdt-1", i, FIELDS,
                    new Object[] {12L + i, "car", 1000.5 * i}, i == 1 ? "bad" : "good", probabilities(0.75, 0.25),
                    List.of(), 1.25, null);
            rows.add(r);
            want.add(expected(r, map("duration", 12L + i, "purpose", "car", "amount \"€\"", 1000.5 * i), r.prediction(), null, null));
        }
        // 4: with an explanation (only :explain), a client id and flags, one of a cut value.
        Map<String, Object> explanation = map("base", 0.3, "contributions", List.of(map("feature", "duration", "value", -0.125)),
                "method", "treeshap");
        List<LoggedFlag> flags = List.of(new LoggedFlag("duration", 400L, null, "above_training_max"),
                new LoggedFlag("purpose", "x".repeat(LogFormat.MAX_FLAG_VALUE_CHARS), 5000, "unseen_category"));
        TestRows.Row explained = new TestRows.Row("req-2", "client \"7\"", T.plusSeconds(1), "credit", "gbdt-1", 0, FIELDS,
                new Object[] {400L, "x".repeat(5000), null}, "bad", probabilities(0.1, 0.9), flags, 3.5, explanation);
        rows.add(explained);
        want.add(expected(explained, map("duration", 400L, "purpose", "x".repeat(5000), "amount \"€\"", null), "bad", null, null));
        // 5: odd values: unicode, quotes, control characters, NaN, null, huge numbers, keys in the order sent.
        String odd = "naïve \"quoted\" \\ back\u0000slash\n\ttab 日本語 😀 \u202Eltr";
        TestRows.Sent sent = new TestRows.Sent(new Object[] {Long.MAX_VALUE, odd, Double.MAX_VALUE}, new int[] {2, -1, 0, 1, -2},
                new String[] {"big 😀", "nan"}, new Object[] {new BigInteger("123456789012345678901234567890"), Double.NaN});
        TestRows.Row oddRow = new TestRows.Row("req-3 ü", null, Instant.parse("2026-11-23T17:01:02.000000001Z"), "credit",
                "v \"2\"", 7, FIELDS, sent, odd, map0(Double.NaN), List.of(), Double.NaN, null);
        rows.add(oddRow);
        Map<String, Object> oddInputs = map("amount \"€\"", Double.MAX_VALUE, "big 😀", new BigInteger("123456789012345678901234567890"),
                "duration", Long.MAX_VALUE, "purpose", odd, "nan", "NaN");  // non-finite inputs are written as their names
        want.add(expected(oddRow, oddInputs, odd, null, null));
        // 6: regression, inputs as a map holding a JSON object, -0.0 and the smallest double.
        ObjectNode nested = JsonNodeFactory.instance.objectNode().put("a", 1).put("b", "two");
        TestRows.Row regression = new TestRows.Row("req-4", null, T, "price", "7", 0, FIELDS,
                map("x", -0.0, "tiny", Double.MIN_VALUE, "nested", nested, "flag", true), 1234.5, null, List.of(), 0.001, null);
        rows.add(regression);
        want.add(expected(regression, map("x", -0.0, "tiny", Double.MIN_VALUE, "nested", map("a", 1L, "b", "two"), "flag", true),
                1234.5, null, null));

        List<FeedbackEntry> feedback = List.of(
                new FeedbackEntry("req-1", T, "credit", "gbdt-1", null, "good", null, "f-1"),
                new FeedbackEntry("req-1", T, "credit", "gbdt-1", 2, JsonNodeFactory.instance.textNode("bad \"really\" 😀"), null, "f-2"),
                new FeedbackEntry("req-3 ü", T, "credit", "gbdt-1", 0, 1L, null, "f-3"),
                new FeedbackEntry("req-3 ü", T, "credit", "gbdt-1", 0, true, null, "f-4"),
                new FeedbackEntry("req-4", T, "price", "7", null, null, 0.75, "f-5"),
                new FeedbackEntry("req-4", T, "price", "7", null, new BigInteger("98765432109876543210"), null, "f-6"));
        List<FeedbackEntry> wantFeedback = new ArrayList<>(feedback);
        wantFeedback.set(1, new FeedbackEntry("req-1", T, "credit", "gbdt-1", 2, "bad \"really\" 😀", null, "f-2"));

        LogLineWriter writer = new LogLineWriter();
        try (RotatingFileSink sink = new RotatingFileSink(dir, 1 << 20)) {
            for (TestRows.Row r : rows) {
                writer.prediction(r);
                sink.append(r.model(), LogFormat.PREDICTIONS, writer.bytes(), 0, writer.size());
            }
            writer.shadow(rows.get(0), "gbdt-0", "bad");
            sink.append("credit", LogFormat.SHADOW, writer.bytes(), 0, writer.size());
            writer.shadow(oddRow, null, odd);
            sink.append("credit", LogFormat.SHADOW, writer.bytes(), 0, writer.size());
            for (FeedbackEntry f : feedback) {
                writer.feedback(f);
                sink.append(f.model(), LogFormat.FEEDBACK, writer.bytes(), 0, writer.size());
            }
        }

        List<LoggedPrediction> read = new ArrayList<>(LogReader.predictions(dir.resolve("credit"), LogFormat.PREDICTIONS));
        read.addAll(LogReader.predictions(dir.resolve("price"), LogFormat.PREDICTIONS));
        assertThat(read).containsExactlyElementsOf(want);
        assertThat(LogReader.predictions(dir.resolve("credit"), LogFormat.SHADOW)).containsExactly(
                expected(rows.get(0), want.get(0).inputs(), "good", "gbdt-0", "bad"),
                expected(oddRow, oddInputs, odd, null, odd));
        List<FeedbackEntry> readFeedback = new ArrayList<>(LogReader.feedback(dir.resolve("credit")));
        readFeedback.addAll(LogReader.feedback(dir.resolve("price")));
        assertThat(readFeedback).containsExactlyElementsOf(wantFeedback);

        // One line per record, whatever the values held.
        assertThat(Files.readAllLines(LogFile.list(dir.resolve("credit"), LogFormat.PREDICTIONS).get(0).path())).hasSize(5);
    }

    /** A probability that is NaN and one that is null (the writer writes both; the reader takes both back). */
    private static Map<String, Double> map0(double p) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("good", p);
        m.put("bad", null);
        return m;
    }

    @Test
    void fileNamesAreTheFormats() throws Exception {
        assertThat(LogFormat.fileName(LogFormat.SHADOW, Instant.parse("2026-01-02T03:04:05.999Z"), 7))
                .isEqualTo("shadow-20260102-030405-000007.jsonl");
        LogFile f = LogFile.parse(Path.of("x/feedback-20261231-235959-000123.jsonl")).orElseThrow();
        assertThat(f.kind()).isEqualTo(LogFormat.FEEDBACK);
        assertThat(f.seq()).isEqualTo(123);
        assertThat(f.opened()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        assertThat(LogFile.parse(Path.of("notes-20261231-235959-000123.jsonl"))).isEmpty();
        assertThat(LogFile.parse(Path.of("predictions-20261231-235959-99999999999999999999999.jsonl"))).isEmpty();
        assertThat(LogFile.parse(Path.of("predictions-20261399-000000-000001.jsonl")).orElseThrow().opened()).isEqualTo(Instant.EPOCH);

        Files.createDirectories(dir.resolve("m"));
        for (String name : List.of("predictions-20261102-000000-000002.jsonl", "predictions-20261101-000000-000010.jsonl",
                "predictions-20261101-000000-000009.jsonl", "feedback-20261101-000000-000001.jsonl", "predictions.txt")) {
            Files.writeString(dir.resolve("m").resolve(name), "");
        }
        assertThat(LogFile.list(dir.resolve("m"), LogFormat.PREDICTIONS).stream().map(l -> l.path().getFileName().toString()))
                .containsExactly("predictions-20261101-000000-000009.jsonl", "predictions-20261101-000000-000010.jsonl",
                        "predictions-20261102-000000-000002.jsonl");
        assertThat(Arrays.asList(LogFile.list(dir.resolve("absent"), LogFormat.FEEDBACK).toArray())).isEmpty();
    }
}
