package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.lifecycle.Ingest;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.store.StoredDataset;
import dev.kiln.train.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/datasets and /api/pipelines over HTTP: datasets ingested through the lifecycle code (as {@code kiln data ingest}
 * does), pipelines run as {@code kiln pipeline run} does, and what the UI's /data and /pipelines pages read back.
 */
class DataAndPipelinesOverHttpTest {
    @TempDir
    Path dir;
    TestServer s;
    List<String> credit;

    @BeforeEach
    void start() throws IOException {
        s = TestServer.start(dir.resolve("home"));
        try (InputStream in = getClass().getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            credit = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    @AfterEach
    void stop() {
        s.close();
    }

    /** The header and data rows [0, to) of the credit data. */
    private Path creditRows(Path out, int to) throws IOException {
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>(credit.subList(0, 1 + to));
        return Files.write(out, lines, StandardCharsets.UTF_8);
    }

    private StoredDataset ingest(String name, Path file) {
        return Ingest.ingest(s.store, name, file.toString(), null, dir, "ana");
    }

    private JsonNode ok(String path) {
        TestServer.Res r = s.get(path, null);
        assertThat(r.status()).as(path + " -> " + r).isEqualTo(200);
        return r.json();
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    @Test
    void datasetsVersionsAndAProfileComputedOnceAndKept() throws Exception {
        assertThat(ok("/api/datasets").get("datasets")).isEmpty();
        StoredDataset v1 = ingest("credit", creditRows(dir.resolve("a/credit.csv"), 700));
        StoredDataset v2 = ingest("credit", creditRows(dir.resolve("b/credit.csv"), 1000));
        ingest("weird", Files.writeString(dir.resolve("w.csv"), "<script>alert(1)</script>,\"\"\"><img src=x onerror=alert(1)>\"\n1,a\n,b\n3,a\n"));

        JsonNode list = ok("/api/datasets").get("datasets");
        assertThat(texts(list, "name")).containsExactly("credit", "weird");
        assertThat(list.get(0).get("versions").asInt()).isEqualTo(2);
        assertThat(list.get(0).get("latest").get("version").asText()).isEqualTo(v2.version());
        assertThat(list.get(0).get("latest").get("bytes").asLong()).isEqualTo(v2.totalBytes());

        JsonNode versions = ok("/api/datasets/credit/versions").get("versions");
        assertThat(texts(versions, "version")).as("newest first").containsExactly(v2.version(), v1.version());
        assertThat(versions.get(1).get("created_by").asText()).isEqualTo("ana");
        assertThat(versions.get(1).get("source").asText()).endsWith("credit.csv");

        JsonNode v = ok("/api/datasets/credit/versions/" + v2.version().substring(0, 8));
        assertThat(v.get("version").asText()).as("a unique prefix, as kiln data get takes it").isEqualTo(v2.version());
        assertThat(v.get("sha256").asText()).isEqualTo(v2.version());
        assertThat(v.get("created_at").asText()).isEqualTo(v2.createdAt().toString());
        assertThat(v.get("profile_status").asText()).isEqualTo("ready");
        JsonNode profile = v.get("profile");
        assertThat(profile.get("rows").asLong()).isEqualTo(1000);
        assertThat(texts(profile.get("columns"), "name")).startsWith("checking_status", "duration").contains("class");
        JsonNode duration = column(profile, "duration");
        assertThat(duration.get("type").asText()).isEqualTo("integer");
        assertThat(duration.get("missing_rate").asDouble()).isZero();
        JsonNode hist = duration.get("numeric").get("histogram");
        assertThat(hist.get("edges").size()).isEqualTo(hist.get("counts").size() + 1);
        long total = 0;
        for (JsonNode n : hist.get("counts")) {
            total += n.asLong();
        }
        assertThat(total).as("every row in one bin").isEqualTo(1000);
        assertThat(duration.get("numeric").get("min").asDouble()).isEqualTo(4.0);
        assertThat(duration.get("top").isNull()).isTrue();
        JsonNode checking = column(profile, "checking_status");
        assertThat(checking.get("numeric").isNull()).isTrue();
        assertThat(texts(checking.get("top"), "value")).contains("no checking", "<0");
        JsonNode foreign = column(profile, "foreign_worker");
        assertThat(foreign.get("type").asText()).isEqualTo("boolean");
        assertThat(foreign.get("numeric").isNull()).as("no 0..1 histogram for a yes/no column").isTrue();
        assertThat(texts(foreign.get("top"), "value")).as("in the file's words").containsExactly("yes", "no");
        assertThat(checking.get("other_count").asLong()).isZero();

        Path kept = dir.resolve("home/datasets/.profiles/" + v2.version() + ".json");
        assertThat(kept).as("the profile is kept beside the version").exists();
        FileTime written = Files.getLastModifiedTime(kept);
        Files.setLastModifiedTime(kept, FileTime.fromMillis(written.toMillis() - 60_000));
        FileTime before = Files.getLastModifiedTime(kept);
        assertThat(ok("/api/datasets/credit/versions/" + v2.version()).get("profile")).isEqualTo(profile);
        assertThat(Files.getLastModifiedTime(kept)).as("reused, not computed again").isEqualTo(before);
        Files.writeString(kept, "{damaged");
        assertThat(ok("/api/datasets/credit/versions/" + v2.version()).get("profile")).as("a damaged one is recomputed")
                .isEqualTo(profile);
        assertThat(Files.readString(kept)).contains("\"profile_sha256\"");

        JsonNode weird = ok("/api/datasets/weird/versions/" + ok("/api/datasets/weird/versions").get("versions").get(0)
                .get("version").asText());
        assertThat(texts(weird.get("profile").get("columns"), "name"))
                .containsExactly("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>");
        assertThat(column(weird.get("profile"), "<script>alert(1)</script>").get("missing_rate").asDouble())
                .isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));

        JsonNode found = ok("/api/datasets?sha256=" + v1.version());
        assertThat(found.get("match").get("version").asText()).isEqualTo(v1.version());
        assertThat(found.get("match").get("name").asText()).isEqualTo("credit");
        assertThat(texts(found.get("names"), "")).hasSize(1);
        ingest("loans", dir.resolve("a/credit.csv"));
        assertThat(ok("/api/datasets?sha256=" + v1.version()).get("names").toString()).isEqualTo("[\"credit\",\"loans\"]");

        assertError(s.get("/api/datasets?sha256=" + "0".repeat(64), null), 404, "dataset_not_found", "0000");
        assertError(s.get("/api/datasets?sha256=abc", null), 400, "invalid_argument", "sha256");
        assertError(s.get("/api/datasets/ghost/versions", null), 404, "dataset_not_found", "ghost");
        assertError(s.get("/api/datasets/credit/versions/nothex", null), 400, "invalid_argument", "dataset_version");
        assertError(s.get("/api/datasets/credit/versions/" + "f".repeat(64), null), 404, "dataset_not_found", "credit");
        assertError(s.get("/api/datasets/weird/versions/" + v1.version(), null), 404, "dataset_not_found", "weird");
        assertError(s.get("/api/datasets/..%2Fx/versions", null), 400, "invalid_argument", "dataset");
    }

    @Test
    void dataThatCannotBeProfiledSaysWhyWithoutTheServersPaths() throws Exception {
        StoredDataset bad = ingest("bad", Files.writeString(dir.resolve("bad.csv"), "a,b\n\"1,2\n"));
        for (int i = 0; i < 2; i++) { // the second answer comes from what the first learnt, without reading the data
            JsonNode failed = ok("/api/datasets/bad/versions/" + bad.version());
            assertThat(failed.get("profile_status").asText()).isEqualTo("failed");
            assertThat(failed.get("profile").isNull()).isTrue();
            assertThat(failed.get("profile_error").get("code").asText()).isEqualTo("data_malformed");
            assertThat(failed.get("profile_error").get("message").asText())
                    .contains("HOME/datasets/" + bad.version(), "unterminated").doesNotContain(dir.toString());
        }
    }

    @Test
    void pipelinesWithTheirRunsStagesSkippedAndWhyAndTheValidationReport() throws Exception {
        assertThat(ok("/api/pipelines").get("pipelines")).isEmpty();
        Path data = creditRows(dir.resolve("data/credit.csv"), 700);
        Path file = Files.writeString(dir.resolve("kiln.yaml"), """
                name: credit
                data: data/credit.csv
                target: class
                train:
                  algorithms: [baseline, linear]
                  seed: 0
                gates:
                  max_regression: 0.2
                """);
        run(file);
        creditRows(data, 1000);
        PipelineRunner.Result second = run(file);
        PipelineRunner.Result promoted = run(file); // production changed: validate and evaluate look again
        assertThat(promoted.outcome()).startsWith("nothing trained, registered or promoted");
        PipelineRunner.Result third = run(file);
        assertThat(third.outcome()).isEqualTo("nothing changed: every stage was skipped");

        JsonNode pipelines = ok("/api/pipelines").get("pipelines");
        assertThat(texts(pipelines, "name")).containsExactly("credit");
        assertThat(pipelines.get(0).get("runs").asInt()).isEqualTo(4);
        JsonNode last = pipelines.get(0).get("last_run");
        assertThat(last.get("id").asText()).isEqualTo(third.record().id());
        assertThat(last.get("status").asText()).isEqualTo("succeeded");
        assertThat(last.get("outcome").asText()).isEqualTo("nothing changed: every stage was skipped");
        assertThat(last.get("trigger").get("kind").asText()).isEqualTo("manual");

        JsonNode runs = ok("/api/pipelines/credit/runs").get("runs");
        assertThat(runs).hasSize(4);
        assertThat(ok("/api/pipelines/credit/runs?limit=1").get("runs")).hasSize(1);
        JsonNode skipped = runs.get(0).get("stages");
        assertThat(texts(skipped, "status")).containsOnly("skipped").hasSize(6);
        assertThat(skipped.get(2).get("reason").asText()).matches("unchanged \\(data [0-9a-f]{4}…, config [0-9a-f]{4}…\\)");
        assertThat(skipped.get(2).get("seconds").isNumber()).isTrue();
        assertThat(runs.get(0).get("seconds").asDouble()).isPositive();
        JsonNode ran = runs.get(2).get("stages");
        assertThat(ran.get(0).get("status").asText()).isEqualTo("ran");
        assertThat(ran.get(0).get("reason").asText()).startsWith("data changed (");
        assertThat(runs.get(3).get("stages").get(0).get("reason").asText()).isEqualTo("not run before");
        String dataset = runs.get(2).get("dataset_sha256").asText();
        assertThat(dataset).isEqualTo(second.record().stages().get(0).get("inputs") instanceof java.util.Map<?, ?> m
                ? m.get("data") : null);

        JsonNode validate = ran.get(1);
        assertThat(validate.get("stage").asText()).isEqualTo("validate");
        JsonNode report = validate.get("report");
        assertThat(report.get("status").asText()).as(validate.toString()).isIn("pass", "warn");
        assertThat(report.get("rows").asLong()).isEqualTo(1000);
        assertThat(report.get("columns").size()).isGreaterThan(10);
        assertThat(skipped.get(1).get("report")).as("a skipped validate stage shows what the run it reuses kept")
                .isEqualTo(runs.get(1).get("stages").get(1).get("report"));
        assertThat(runs.get(3).get("stages").get(1).get("report").isNull()).as("nothing in production to validate against").isTrue();
        JsonNode again = runs.get(1).get("stages").get(1);
        assertThat(again.get("status").asText()).isEqualTo("ran");
        assertThat(again.get("reason").asText()).startsWith("production changed");
        assertThat(again.get("report").isNull()).as("credit:2 was trained on this very data: nothing to compare").isTrue();

        JsonNode version = ok("/api/datasets/credit/versions/" + dataset);
        assertThat(version.get("validations")).hasSize(1);
        assertThat(version.get("validations").get(0).get("report")).isEqualTo(report);
        assertThat(version.get("validations").get(0).get("run_id").asText()).isEqualTo(second.record().id());
        assertThat(texts(version.get("pipeline_runs"), "run_id"))
                .containsExactly(third.record().id(), promoted.record().id(), second.record().id());
        assertThat(ok("/api/datasets?sha256=" + dataset).get("match").get("name").asText()).isEqualTo("credit");

        assertError(s.get("/api/pipelines/ghost/runs", null), 404, "run_not_found", "credit");
        assertError(s.get("/api/pipelines/credit/runs?limit=0", null), 400, "invalid_argument", "limit");
        assertError(s.get("/api/pipelines/a%20b/runs", null), 400, "invalid_argument", "pipeline");
    }

    private PipelineRunner.Result run(Path file) {
        return PipelineRunner.run(s.store, PipelineFile.load(file), PipelineRunner.Trigger.manual(), null, "ana",
                ProgressListener.NONE, null);
    }

    private static JsonNode column(JsonNode profile, String name) {
        for (JsonNode c : profile.get("columns")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + profile);
    }

    private static void assertError(TestServer.Res r, int status, String code, String messagePart) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.toString()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asText()).as(r.toString()).contains(messagePart);
    }
}
