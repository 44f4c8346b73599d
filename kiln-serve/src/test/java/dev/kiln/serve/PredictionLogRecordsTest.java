package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.log.FeedbackEntry;
import dev.kiln.runtime.log.LogFile;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.log.LogReader;
import dev.kiln.runtime.log.LoggedPrediction;
import dev.kiln.runtime.schema.Field;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's records (its own row types, through the queue and the files) as kiln-runtime's reader reads them. */
class PredictionLogRecordsTest {
    @TempDir
    Path dir;

    private static final Instant T = Instant.parse("2026-11-23T17:01:02.5Z");

    private static List<String> lines(Path modelDir, String kind) throws IOException {
        List<String> out = new ArrayList<>();
        for (LogFile f : LogFile.list(modelDir, kind)) {
            out.addAll(Files.readAllLines(f.path()));
        }
        return out;
    }

    /** The record {@code offerFeedback} builds is, byte for byte, the one the server used to build by hand. */
    @Test
    void feedbackIsTheLineTheServerBuiltByHand() throws IOException {
        Clock clock = Clock.fixed(T, ZoneOffset.UTC);
        try (PredictionLog log = new PredictionLog(dir, PredictionLog.Options.defaults().withClock(clock))) {
            Map<String, Object> byHand = new LinkedHashMap<>();
            byHand.put("request_id", "req-1");
            byHand.put("time", T.toString());
            byHand.put("model", "credit");
            byHand.put("served_version", "gbdt-1");
            byHand.put("row", 2);
            byHand.put("label", JsonNodeFactory.instance.textNode("bad \"é\""));
            byHand.put("feedback_id", "f-1");
            assertThat(log.offer("credit", PredictionLog.FEEDBACK, byHand)).isTrue();
            assertThat(log.offerFeedback("credit", "gbdt-1", "req-1", 2, JsonNodeFactory.instance.textNode("bad \"é\""), null, "f-1"))
                    .isTrue();
            Map<String, Object> reward = new LinkedHashMap<>();
            reward.put("request_id", "req-2");
            reward.put("time", T.toString());
            reward.put("model", "credit");
            reward.put("served_version", "gbdt-1");
            reward.put("reward", 0.25);
            reward.put("feedback_id", "f-2");
            assertThat(log.offer("credit", PredictionLog.FEEDBACK, reward)).isTrue();
            assertThat(log.offerFeedback("credit", "gbdt-1", "req-2", null, null, 0.25, "f-2")).isTrue();
            Map<String, Object> number = new LinkedHashMap<>(byHand);
            number.put("label", JsonNodeFactory.instance.numberNode(1));
            number.remove("row");
            assertThat(log.offer("credit", PredictionLog.FEEDBACK, number)).isTrue();
            assertThat(log.offerFeedback("credit", "gbdt-1", "req-1", null, JsonNodeFactory.instance.numberNode(1), null, "f-1")).isTrue();
        }
        List<String> lines = lines(dir.resolve("credit"), LogFormat.FEEDBACK);
        assertThat(lines).hasSize(6);
        for (int i = 0; i < 6; i += 2) {
            assertThat(lines.get(i + 1)).isEqualTo(lines.get(i));
        }
        assertThat(LogReader.feedback(dir.resolve("credit"))).element(1)
                .isEqualTo(new FeedbackEntry("req-1", T, "credit", "gbdt-1", 2, "bad \"é\"", null, "f-1"));
    }

    /**
     * A 0.9 MB unseen category is written once (in the inputs): the flag quotes its first 256 chars and says its full
     * length, in the log and in the answer's flag.
     */
    @Test
    void aHugeValueIsWrittenOnceNotRepeatedByItsFlag() throws IOException {
        KilnModel model = KilnModel.load(bundle("credit-gbdt"));
        InputChecks checks = InputChecks.of(model);
        String huge = "q" + "ü".repeat(900_000 - 2) + "z";
        Map<String, Object> row = new LinkedHashMap<>(Fixtures.rows(model).get(0));
        row.put("checking_status", huge);
        List<InputChecks.Flag> flags = checks.check(row);
        InputChecks.Flag flag = flags.stream().filter(f -> f.column().equals("checking_status")).findFirst().orElseThrow();
        assertThat(flag.value()).isEqualTo(huge.substring(0, LogFormat.MAX_FLAG_VALUE_CHARS));
        assertThat(flag.valueLength()).isEqualTo(900_000);
        assertThat(flag.toMap()).containsEntry("value_length", 900_000).containsEntry("reason", InputChecks.UNSEEN);
        assertThat(new InputChecks.Flag("c", "short", InputChecks.UNSEEN).valueLength()).isNull();
        assertThat(new InputChecks.Flag("c", "a" + "😀".repeat(200), InputChecks.UNSEEN).value())
                .as("never half a surrogate pair").isEqualTo("a" + "😀".repeat(127));

        List<Field> fields = model.requiredFields();
        try (PredictionLog log = new PredictionLog(dir)) {
            assertThat(log.offer(new PredictionLog.Row("req-1", null, T, "credit", "gbdt-1", 0, fields, row, "bad",
                    Map.of("bad", 0.5), flags, 1.0))).isTrue();
        }
        String line = Files.readString(LogFile.list(dir.resolve("credit"), LogFormat.PREDICTIONS).get(0).path());
        assertThat(line.split(huge.substring(0, 300), -1)).as("occurrences of the value").hasSize(2);
        assertThat(line.length()).isLessThan(huge.length() + 4096);
        LoggedPrediction read = LogReader.prediction(line.strip());
        assertThat(read.inputs().get("checking_status")).isEqualTo(huge);
        assertThat(read.flags()).contains(new LoggedPrediction.LoggedFlag("checking_status",
                huge.substring(0, LogFormat.MAX_FLAG_VALUE_CHARS), 900_000, InputChecks.UNSEEN));
    }

    /** The server's own rows (a row as columns, as sent in another order, a shadow) read back equal. */
    @Test
    void theServersRowsReadBackEqual() throws IOException {
        List<Field> fields = KilnModel.load(bundle("credit-gbdt")).requiredFields();
        Object[] columns = new Object[fields.size()];
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i++) {
            columns[i] = i % 2 == 0 ? (Object) (long) i : "v\"" + i;
            inputs.put(fields.get(i).name(), columns[i]);
        }
        int[] order = new int[columns.length + 1];
        Map<String, Object> sentInputs = new LinkedHashMap<>();
        order[0] = -1;
        sentInputs.put("extra ✓", null);
        for (int i = 0; i < columns.length; i++) {
            order[i + 1] = columns.length - 1 - i;
            sentInputs.put(fields.get(columns.length - 1 - i).name(), columns[columns.length - 1 - i]);
        }
        PredictionLog.Sent sent = new PredictionLog.Sent(columns, order, new String[] {"extra ✓"}, new Object[] {null});
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("good", 0.25);
        probabilities.put("bad", 0.75);
        PredictionLog.Row plain = new PredictionLog.Row("req-1", null, T, "credit", "gbdt-1", 0, fields, columns, "bad",
                probabilities, List.of(), 2.5);
        PredictionLog.Row reordered = new PredictionLog.Row("req-1", "mine", T, "credit", "gbdt-1", 1, fields, sent, "good",
                probabilities, List.of(new InputChecks.Flag("duration", 999L, InputChecks.ABOVE_MAX)), 2.5, Map.of("base", 0.5));
        try (PredictionLog log = new PredictionLog(dir)) {
            assertThat(log.offer(plain)).isTrue();
            assertThat(log.offer(reordered)).isTrue();
            assertThat(log.offer(new PredictionLog.ShadowRow(plain, "gbdt-0", "good"))).isTrue();
        }
        LoggedPrediction first = new LoggedPrediction("req-1", null, T, "credit", "gbdt-1", 0, inputs, "bad", probabilities, null,
                List.of(), 2.5, null, null);
        assertThat(LogReader.predictions(dir.resolve("credit"), LogFormat.PREDICTIONS)).containsExactly(first,
                new LoggedPrediction("req-1", "mine", T, "credit", "gbdt-1", 1, sentInputs, "good", probabilities, Map.of("base", 0.5),
                        List.of(new LoggedPrediction.LoggedFlag("duration", 999L, null, InputChecks.ABOVE_MAX)), 2.5, null, null));
        assertThat(LogReader.predictions(dir.resolve("credit"), LogFormat.SHADOW)).containsExactly(
                new LoggedPrediction("req-1", null, T, "credit", "gbdt-1", 0, inputs, "bad", probabilities, null, List.of(), 2.5,
                        "gbdt-0", "good"));
    }
}
