package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.oipRequest;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.await;
import static dev.kiln.serve.PredictionLogTest.records;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.serve.Fixtures.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Out-of-range inputs are flagged (never refused) on both routes, in the prediction log and in metrics. */
class InputFlagsTest {
    @TempDir
    Path dir;

    @Test
    void checksComeFromTheProfileAndTheOneHotLevels() {
        KilnModel model = KilnModel.load(bundle("credit-gbdt"));
        InputChecks checks = InputChecks.of(model);
        ColumnProfile duration = model.bundle().referenceProfile().column("duration").orElseThrow();
        Map<String, Object> row = new LinkedHashMap<>(Fixtures.rows(model).get(0));
        row.put("duration", Math.round(duration.max()) + 1);
        row.put("checking_status", "never seen");
        assertThat(checks.check(row)).contains(new InputChecks.Flag("duration", Math.round(duration.max()) + 1, InputChecks.ABOVE_MAX),
                new InputChecks.Flag("checking_status", "never seen", InputChecks.UNSEEN));
        row.put("duration", duration.min() - 0.5);
        row.put("checking_status", null);  // missing: imputed, not flagged
        assertThat(checks.check(row)).contains(new InputChecks.Flag("duration", duration.min() - 0.5, InputChecks.BELOW_MIN))
                .noneMatch(f -> f.column().equals("checking_status"));
        row.put("duration", duration.min());
        row.put("checking_status", "<0");
        assertThat(checks.check(row)).noneMatch(f -> f.column().equals("duration") || f.column().equals("checking_status"));
    }

    @Test
    void bothRoutesFlagTheLogRecordsThemAndMetricsCountThem() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        ColumnProfile duration = gbdt.bundle().referenceProfile().column("duration").orElseThrow();
        InputChecks checks = InputChecks.of(gbdt);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : Fixtures.rows(gbdt).subList(0, 3)) {
            rows.add(new LinkedHashMap<>(r));
        }
        long above = Math.round(duration.max()) + 100;
        rows.get(0).put("duration", above);
        rows.get(2).put("checking_status", "martian");
        ModelHost.Served served = host.get("credit").orElseThrow();
        assertThat(host.checks(served)).as("computed once, at load").isSameAs(host.checks(served));
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply rec = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", rows)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "rec-1"));
            assertThat(rec.status()).as(rec.text()).isEqualTo(200);
            JsonNode preds = rec.body().get("predictions");
            assertThat(preds.get(0).get("flags").toString()).contains(
                    "{\"column\":\"duration\",\"value\":" + above + ",\"reason\":\"above_training_max\"}");
            assertThat(preds.get(2).get("flags").toString()).contains(
                    "{\"column\":\"checking_status\",\"value\":\"martian\",\"reason\":\"unseen_category\"}");
            assertThat(checks.check(rows.get(1))).isEmpty();
            assertThat(preds.get(1).has("flags")).as("no flags: omitted").isFalse();

            Reply oip = postText(base, "/v2/models/credit/infer", InferenceServerTest.json(oipRequest(gbdt, rows, null)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "oip-1"));
            assertThat(oip.status()).as(oip.text()).isEqualTo(200);
            String kilnFlags = oip.body().get("parameters").get("kiln_flags").toString();
            assertThat(kilnFlags).contains("{\"row\":0,\"column\":\"duration\",\"value\":" + above + ",\"reason\":\"above_training_max\"}")
                    .contains("{\"row\":2,\"column\":\"checking_status\",\"value\":\"martian\",\"reason\":\"unseen_category\"}");

            // In range everywhere: no parameters at all.
            Map<String, Object> clean = new LinkedHashMap<>(rows.get(1));
            clean.put("duration", Math.round(duration.min()));
            assertThat(checks.check(clean)).isEmpty();
            Reply quiet = postText(base, "/v2/models/credit/infer", InferenceServerTest.json(oipRequest(gbdt, List.of(clean), null)),
                    Map.of());
            assertThat(quiet.status()).isEqualTo(200);
            assertThat(quiet.body().has("parameters")).isFalse();

            Metrics m = Metrics.scrape(base);
            assertThat(m.sample("kiln_input_flags_total", "model=\"credit\"", "column=\"duration\"", "reason=\"above_training_max\""))
                    .isEqualTo(2);
            assertThat(m.sample("kiln_input_flags_total", "model=\"credit\"", "column=\"checking_status\"", "reason=\"unseen_category\""))
                    .isEqualTo(2);

            int expected = 7;
            assertThat(await(10, () -> log.written() == expected)).as("written " + log.written()).isTrue();
            List<JsonNode> recs = records(dir, "credit", PredictionLog.PREDICTIONS);
            JsonNode first = recs.stream().filter(r -> r.get("request_id").asText().equals("rec-1") && r.get("row").asInt() == 0)
                    .findFirst().orElseThrow();
            assertThat(first.get("flags").toString()).contains("\"reason\":\"above_training_max\"");
            JsonNode third = recs.stream().filter(r -> r.get("request_id").asText().equals("oip-1") && r.get("row").asInt() == 2)
                    .findFirst().orElseThrow();
            assertThat(third.get("flags").toString()).contains("\"value\":\"martian\"");
        }
    }
}
