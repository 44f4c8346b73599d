package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every store backend must show. Subclasses say where the database lives; each test gets a
 * fresh home and a fresh, empty database.
 */
abstract class StoreContract {
    @TempDir
    Path home;
    @TempDir
    Path work;

    String url;
    KilnStore store;
    TrackingStore tracking;
    ModelRegistry registry;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        url = newDatabaseUrl();
        store = KilnStore.open(home, url);
        tracking = store.tracking();
        registry = store.registry();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static void assertKiln(ThrowingCallable call, ErrorCode code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).as(e.getMessage()).isEqualTo(code))
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    }

    Path bundle(String name, double variant) {
        return TestBundles.write(work.resolve(name), variant);
    }

    // ---------------------------------------------------------------- tracking

    @Test
    void experimentsAreCreatedOnceAndReused() {
        Experiment a = tracking.experiment("credit");
        Experiment b = tracking.experiment("credit");
        assertThat(b).isEqualTo(a);
        assertThat(tracking.experiment("churn").id()).isNotEqualTo(a.id());
        assertKiln(() -> tracking.experiment(" "), ErrorCode.INVALID_ARGUMENT, "experiment name");
    }

    @Test
    void aRunRecordsItsOwnerTagsAndExperiment() {
        Run run = tracking.startRun("credit", null, "baseline", Map.of("kind", "search"));
        assertThat(run.id()).matches("[0-9a-f-]{36}");
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.experiment()).isEqualTo("credit");
        assertThat(run.name()).isEqualTo("baseline");
        assertThat(run.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(run.host()).isNotBlank();
        assertThat(run.tags()).containsExactly(Map.entry("kind", "search"));
        assertThat(run.endedAt()).isNull();
        assertThat(tracking.run(run.id())).contains(run);
        assertThat(tracking.run("no-such-run")).isEmpty();

        tracking.setTag(run.id(), "kind", "candidate");
        tracking.setTag(run.id(), "seed", "7");
        assertThat(tracking.run(run.id()).orElseThrow().tags()).containsEntry("kind", "candidate").containsEntry("seed", "7");
    }

    @Test
    void childRunsHangOffAnExistingParent() {
        Run parent = tracking.startRun("credit", null, "search", Map.of());
        Run c1 = tracking.startRun("credit", parent.id(), "linear", Map.of());
        Run c2 = tracking.startRun("credit", parent.id(), "gbdt", null);
        assertThat(tracking.childRuns(parent.id())).extracting(Run::id).containsExactly(c1.id(), c2.id());
        assertThat(c1.parentRunId()).isEqualTo(parent.id());
        assertThat(tracking.childRuns(c1.id())).isEmpty();
        assertKiln(() -> tracking.startRun("credit", "missing-parent", "x", Map.of()), ErrorCode.RUN_NOT_FOUND, "missing-parent");
        assertKiln(() -> tracking.childRuns("missing-parent"), ErrorCode.RUN_NOT_FOUND, "missing-parent");
    }

    @Test
    void paramsAreWriteOnce() {
        Run run = tracking.startRun("credit", null, "r", Map.of());
        tracking.logParams(run.id(), Map.of("lr", "0.1", "depth", "6"));
        tracking.logParams(run.id(), Map.of("lr", "0.1")); // the same value again is fine
        assertKiln(() -> tracking.logParams(run.id(), Map.of("trees", "100", "lr", "0.2")), ErrorCode.CONFLICT,
                "'lr'", "0.1", "0.2", "write-once");
        // the failed call changed nothing, not even its new key
        assertThat(tracking.run(run.id()).orElseThrow().params()).containsExactly(Map.entry("depth", "6"), Map.entry("lr", "0.1"));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("x", null);
        assertKiln(() -> tracking.logParams(run.id(), nullValue), ErrorCode.INVALID_ARGUMENT, "'x'");
    }

    @Test
    void metricsKeepEveryPointAndTheLatestIsByStepThenTime() {
        Run run = tracking.startRun("credit", null, "r", Map.of());
        tracking.logMetric(run.id(), "loss", 0.9, 0);
        tracking.logMetric(run.id(), "loss", 0.5, 2);
        tracking.logMetric(run.id(), "loss", 0.7, 1); // logged later, but an earlier step
        tracking.logMetrics(run.id(), Map.of("auc", 0.8, "accuracy", 0.75), 0);
        RunSearchContract.awaitNextMillisecond();
        tracking.logMetric(run.id(), "auc", 0.81, 0); // same step, later: wins
        tracking.logMetric(run.id(), "odd", Double.NaN, 0);

        assertThat(tracking.metricHistory(run.id(), "loss")).extracting(MetricPoint::step, MetricPoint::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 0.9), org.assertj.core.groups.Tuple.tuple(1L, 0.7),
                        org.assertj.core.groups.Tuple.tuple(2L, 0.5));
        assertThat(tracking.metricHistory(run.id(), "auc")).extracting(MetricPoint::value).containsExactly(0.8, 0.81);
        assertThat(tracking.metricHistory(run.id(), "nothing")).isEmpty();
        Map<String, Double> latest = tracking.run(run.id()).orElseThrow().latestMetrics();
        assertThat(latest).containsEntry("loss", 0.5).containsEntry("auc", 0.81).containsEntry("accuracy", 0.75);
        assertThat(latest.get("odd")).isNaN();
        assertKiln(() -> tracking.logMetric(run.id(), "", 1, 0), ErrorCode.INVALID_ARGUMENT, "metric name");
    }

    @Test
    void aRunEndsOnce() {
        Run run = tracking.startRun("credit", null, "r", Map.of());
        assertKiln(() -> tracking.endRun(run.id(), RunStatus.RUNNING), ErrorCode.INVALID_ARGUMENT, "FINISHED");
        tracking.endRun(run.id(), RunStatus.FINISHED);
        Run ended = tracking.run(run.id()).orElseThrow();
        assertThat(ended.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(ended.endedAt()).isNotNull().isAfterOrEqualTo(ended.startedAt());
        assertKiln(() -> tracking.endRun(run.id(), RunStatus.FAILED), ErrorCode.CONFLICT, "already ended", "FINISHED");
        assertKiln(() -> tracking.endRun("nope", RunStatus.FAILED), ErrorCode.RUN_NOT_FOUND, "'nope'");
    }

    @Test
    void anEndedRunKeepsItsParamsMetricsAndKilnTags() {
        for (RunStatus end : List.of(RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)) {
            Run run = tracking.startRun("credit", null, "r", Map.of());
            tracking.logParams(run.id(), Map.of("lr", "0.1"));
            tracking.logMetric(run.id(), "auc", 0.8, 0);
            tracking.setTag(run.id(), "kiln.dataset_version", "abc");
            tracking.setTag(run.id(), "note", "first");
            tracking.endRun(run.id(), end);

            assertKiln(() -> tracking.logMetric(run.id(), "auc", 0.99, 1), ErrorCode.CONFLICT,
                    run.id(), "metric 'auc'", end.name());
            assertKiln(() -> tracking.logMetrics(run.id(), Map.of("recall", 0.9), 0), ErrorCode.CONFLICT, run.id(), "metric 'recall'");
            assertKiln(() -> tracking.logParams(run.id(), Map.of("depth", "6")), ErrorCode.CONFLICT, run.id(), "parameter 'depth'");
            assertKiln(() -> tracking.logParams(run.id(), Map.of("lr", "0.2")), ErrorCode.CONFLICT, run.id(), "parameter 'lr'");
            assertKiln(() -> tracking.setTag(run.id(), "kiln.dataset_version", "forged"), ErrorCode.CONFLICT,
                    run.id(), "tag 'kiln.dataset_version'");
            assertKiln(() -> tracking.setTag(run.id(), "kiln.new", "x"), ErrorCode.CONFLICT, run.id(), "tag 'kiln.new'");
            tracking.logParams(run.id(), Map.of("lr", "0.1")); // the value it already has changes nothing
            tracking.setTag(run.id(), "note", "second"); // user tags stay editable
            tracking.setTag(run.id(), "reviewed", "yes");
            assertKiln(() -> tracking.setTags(run.id(), Map.of("note", "third", "kiln.chosen", "forged")), ErrorCode.CONFLICT,
                    "tag 'kiln.chosen'");

            Run after = tracking.run(run.id()).orElseThrow();
            assertThat(after.params()).containsExactly(Map.entry("lr", "0.1"));
            assertThat(after.latestMetrics()).containsExactly(Map.entry("auc", 0.8));
            assertThat(tracking.metricHistory(run.id(), "auc")).hasSize(1);
            assertThat(after.tags()).containsEntry("kiln.dataset_version", "abc").containsEntry("note", "second")
                    .containsEntry("reviewed", "yes").doesNotContainKey("kiln.new");
        }
    }

    @Test
    void runsAreListedNewestFirstPerExperiment() {
        Run a = tracking.startRun("credit", null, "a", Map.of());
        Run b = tracking.startRun("churn", null, "b", Map.of());
        Run c = tracking.startRun("credit", null, "c", Map.of());
        assertThat(tracking.runs(null, 0)).extracting(Run::id).containsExactly(c.id(), b.id(), a.id());
        assertThat(tracking.runs("credit", 10)).extracting(Run::id).containsExactly(c.id(), a.id());
        assertThat(tracking.runs(null, 2)).extracting(Run::id).containsExactly(c.id(), b.id());
        assertKiln(() -> tracking.runs("fraud", 10), ErrorCode.RUN_NOT_FOUND, "'fraud'", "churn, credit");
    }

    @Test
    void everyRunMethodNamesAMissingRun() {
        for (ThrowingCallable call : List.<ThrowingCallable>of(
                () -> tracking.logParams("ghost", Map.of("a", "b")),
                () -> tracking.logMetric("ghost", "m", 1, 0),
                () -> tracking.setTag("ghost", "k", "v"),
                () -> tracking.metricHistory("ghost", "m"),
                () -> tracking.artifacts("ghost"),
                () -> tracking.logArtifact("ghost", "a.txt", work))) {
            assertKiln(call, ErrorCode.RUN_NOT_FOUND, "'ghost'");
        }
    }

    @Test
    void artifactsAreStoredByContent() throws IOException {
        Run run = tracking.startRun("credit", null, "r", Map.of());
        Path file = Files.writeString(work.resolve("report.txt"), "hello");
        Path dir = Files.createDirectories(work.resolve("plots/sub"));
        Files.writeString(dir.resolve("roc.svg"), "<svg/>");
        Path b = bundle("model", 0.0);

        Artifact f = tracking.logArtifact(run.id(), "report.txt", file);
        Artifact d = tracking.logArtifact(run.id(), "plots", work.resolve("plots"));
        Artifact m = tracking.logArtifact(run.id(), "model/bundle", b);
        assertThat(f.kind()).isEqualTo("file");
        assertThat(f.sizeBytes()).isEqualTo(5);
        assertThat(store.artifacts().file(f.sha256())).hasContent("hello");
        assertThat(d.kind()).isEqualTo("directory");
        assertThat(Files.readString(store.artifacts().file(d.sha256()))).contains("sub/roc.svg");
        assertThat(m.kind()).isEqualTo("bundle");
        assertThat(store.artifacts().bundle(m.sha256()).resolve("manifest.json")).exists();
        assertThat(tracking.artifacts(run.id())).containsExactlyInAnyOrder(f, d, m);

        // the same name with the same content again is fine; other content is a conflict
        assertThat(tracking.logArtifact(run.id(), "report.txt", file)).isEqualTo(f);
        Path other = Files.writeString(work.resolve("other.txt"), "bye");
        assertKiln(() -> tracking.logArtifact(run.id(), "report.txt", other), ErrorCode.CONFLICT, "report.txt");
        for (String bad : List.of("../escape.txt", "/etc/passwd", "a/../../b", "", "a//b", "./a")) {
            assertKiln(() -> tracking.logArtifact(run.id(), bad, file), ErrorCode.INVALID_ARGUMENT, "artifact name");
        }
        assertThat(tracking.artifacts(run.id())).hasSize(3);
    }

    @Test
    void aValueIsLoggedAsAJsonArtifact() throws IOException {
        Run run = tracking.startRun("credit", null, "r", Map.of());
        Map<String, Object> report = Map.of("auc", 0.91, "rows", 1000, "name", "gbdt \"best\"");
        Artifact json = tracking.logJson(run.id(), "report.json", report);
        assertThat(json.kind()).isEqualTo("file");
        assertThat(dev.kiln.runtime.Json.mapper().readValue(store.artifacts().file(json.sha256()).toFile(), Map.class))
                .isEqualTo(report);
        assertThat(tracking.artifacts(run.id())).containsExactly(json);
        assertThat(tracking.logJson(run.id(), "report.json", report)).isEqualTo(json);
        assertKiln(() -> tracking.logJson(run.id(), "report.json", Map.of("auc", 0.5)), ErrorCode.CONFLICT, "report.json");
        assertKiln(() -> tracking.logJson("ghost", "report.json", report), ErrorCode.RUN_NOT_FOUND, "'ghost'");
    }

    @Test
    void deadRunsOfThisHostAreReaped() throws Exception {
        Run dead = tracking.startRun("credit", null, "dead", Map.of());
        Run alive = tracking.startRun("credit", null, "alive", Map.of());
        Run elsewhere = tracking.startRun("credit", null, "elsewhere", Map.of());
        Run done = tracking.startRun("credit", null, "done", Map.of());
        tracking.endRun(done.id(), RunStatus.FINISHED);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long deadPid = p.pid();
        store.db().write(c -> {
            Db.update(c, "UPDATE runs SET pid = ? WHERE id = ?", deadPid, dead.id());
            Db.update(c, "UPDATE runs SET pid = ?, host = ? WHERE id = ?", deadPid, "some-other-host", elsewhere.id());
            Db.update(c, "UPDATE runs SET pid = ? WHERE id = ?", deadPid, done.id());
            return null;
        });
        assertThat(tracking.reapDeadRuns()).isEqualTo(1);
        assertThat(tracking.run(dead.id()).orElseThrow().status()).isEqualTo(RunStatus.KILLED);
        assertThat(tracking.run(dead.id()).orElseThrow().endedAt()).isNotNull();
        assertThat(tracking.run(alive.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(tracking.run(elsewhere.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(tracking.run(done.id()).orElseThrow().status()).isEqualTo(RunStatus.FINISHED);
        assertThat(tracking.reapDeadRuns()).isZero();
    }

    // ---------------------------------------------------------------- registry

    @Test
    void registeringCreatesTheModelAndNumbersVersions() {
        Run run = tracking.startRun("credit", null, "train", Map.of());
        ModelVersion v1 = registry.register("credit", bundle("b1", 0.0), run.id(), "alice", "first model");
        ModelVersion v2 = registry.register("credit", bundle("b2", 1.0), null, null, null);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v1.model()).isEqualTo("credit");
        assertThat(v1.algorithm()).isEqualTo("linear");
        assertThat(v1.task()).isEqualTo("binary");
        assertThat(v1.datasetSha256()).isEqualTo(TestBundles.DATASET_SHA);
        assertThat(v1.metrics()).containsEntry("auc", 0.75).containsEntry("accuracy", 0.8);
        assertThat(v1.sourceRunId()).isEqualTo(run.id());
        assertThat(v1.createdBy()).isEqualTo("alice");
        assertThat(v1.description()).isEqualTo("first model");
        assertThat(v2.createdBy()).isEqualTo(System.getProperty("user.name"));
        assertThat(v1.bundleSha256()).isNotEqualTo(v2.bundleSha256()).matches("[0-9a-f]{64}");

        assertThat(registry.version("credit", 1)).isEqualTo(v1);
        assertThat(registry.versions("credit")).containsExactly(v1, v2);
        RegisteredModel model = registry.model("credit").orElseThrow();
        assertThat(model.latestVersion()).isEqualTo(2);
        assertThat(model.aliases()).isEmpty();
        assertThat(registry.models()).extracting(RegisteredModel::name).containsExactly("credit");
        assertThat(registry.model("nope")).isEmpty();
        assertThat(registry.history("credit")).extracting(ModelEvent::type, ModelEvent::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("model_created", null),
                        org.assertj.core.groups.Tuple.tuple("version_registered", 1),
                        org.assertj.core.groups.Tuple.tuple("version_registered", 2));
        assertThat(registry.history("credit").get(1).details()).containsEntry("bundleSha256", v1.bundleSha256())
                .containsEntry("sourceRunId", run.id());

        // the same bundle again is a new version pointing at the same stored bundle
        ModelVersion v3 = registry.register("credit", bundle("b1", 0.0), null, "alice", "again");
        assertThat(v3.version()).isEqualTo(3);
        assertThat(v3.bundleSha256()).isEqualTo(v1.bundleSha256());
    }

    @Test
    void versionsAreFoundByTheRunsThatMadeThem() {
        Run a = tracking.startRun("credit", null, "a", Map.of());
        Run b = tracking.startRun("credit", null, "b", Map.of());
        registry.register("credit", bundle("b1", 0.0), a.id(), "alice", null);
        registry.register("churn", bundle("b2", 1.0), a.id(), "alice", null);
        registry.register("credit", bundle("b3", 2.0), b.id(), "alice", null);
        registry.register("credit", bundle("b4", 3.0), null, "alice", null);
        assertThat(registry.versionsFromRuns(List.of(a.id()))).extracting(v -> v.model() + ":" + v.version())
                .containsExactly("churn:1", "credit:1");
        assertThat(registry.versionsFromRuns(List.of(a.id(), b.id(), "no-such-run"))).hasSize(3);
        assertThat(registry.versionsFromRuns(List.of())).isEmpty();
    }

    @Test
    void registeringRefusesBadNamesUnknownRunsAndBrokenBundles() throws IOException {
        Path b = bundle("b", 0.0);
        assertKiln(() -> registry.register("../evil", b, null, "a", null), ErrorCode.INVALID_ARGUMENT, "../evil");
        assertKiln(() -> registry.register("credit", b, "ghost-run", "a", null), ErrorCode.RUN_NOT_FOUND, "ghost-run");
        assertThat(registry.model("credit")).as("the failed registration left no model").isEmpty();
        Path tampered = bundle("tampered", 2.0);
        Files.writeString(tampered.resolve("estimator.json"), "{}");
        assertKiln(() -> registry.register("credit", tampered, null, "a", null), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "estimator.json");
        assertKiln(() -> registry.register("credit", work.resolve("missing"), null, "a", null), ErrorCode.BUNDLE_NOT_FOUND, "missing");
        assertThat(registry.models()).isEmpty();
    }

    @Test
    void recordedEventsAppendEvidenceWithoutChangingTheModel() {
        registry.register("credit", bundle("b", 0.0), null, "a", null);
        ModelEvent e = registry.recordEvent("credit", "rollout_step", 1, "production", "kiln-pipeline", "shadow done",
                Map.of("step", "shadow", "requests", 300));
        assertThat(e.type()).isEqualTo("rollout_step");
        assertThat(registry.history("credit")).last().satisfies(last -> {
            assertThat(last.id()).isEqualTo(e.id());
            assertThat(last.details()).containsEntry("step", "shadow").containsEntry("requests", 300);
            assertThat(last.actor()).isEqualTo("kiln-pipeline");
            assertThat(last.alias()).isEqualTo("production");
        });
        assertThat(registry.model("credit").orElseThrow().aliases()).as("evidence moves nothing").isEmpty();
        assertKiln(() -> registry.recordEvent("credit", "alias_set", 1, null, "a", null, Map.of()),
                ErrorCode.INVALID_ARGUMENT, "alias_set");
        assertKiln(() -> registry.recordEvent("credit", "Bad Type", 1, null, "a", null, Map.of()),
                ErrorCode.INVALID_ARGUMENT, "Bad Type");
        assertKiln(() -> registry.recordEvent("credit", "rollout_step", 9, null, "a", null, Map.of()),
                ErrorCode.MODEL_NOT_FOUND, "no version 9");
        assertKiln(() -> registry.recordEvent("fraud", "rollout_step", null, null, "a", null, Map.of()),
                ErrorCode.MODEL_NOT_FOUND, "'fraud'");
    }

    @Test
    void lookupsNameWhatIsMissing() {
        registry.register("credit", bundle("b", 0.0), null, "a", null);
        assertKiln(() -> registry.version("credit", 7), ErrorCode.MODEL_NOT_FOUND, "'credit'", "no version 7", "only version is 1");
        assertKiln(() -> registry.version("fraud", 1), ErrorCode.MODEL_NOT_FOUND, "'fraud'", "models: credit");
        assertKiln(() -> registry.versions("fraud"), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
        assertKiln(() -> registry.history("fraud"), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
        assertKiln(() -> registry.resolve(ModelRef.parse("credit")), ErrorCode.MODEL_NOT_FOUND,
                "model 'credit' has no alias 'production' (aliases: none)");
        registry.setAlias("credit", "production", 1, "a", null, Map.of());
        assertKiln(() -> registry.resolve(ModelRef.parse("credit@staging")), ErrorCode.MODEL_NOT_FOUND,
                "model 'credit' has no alias 'staging' (aliases: production)");
        assertKiln(() -> registry.resolve(ModelRef.parse("credit:2")), ErrorCode.MODEL_NOT_FOUND, "no version 2");
        assertKiln(() -> registry.resolve(ModelRef.parse("fraud")), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
        assertThat(registry.resolve(ModelRef.parse("credit")).version()).isEqualTo(1);
        assertThat(registry.resolve(ModelRef.parse("credit@production")).version()).isEqualTo(1);
        assertThat(registry.resolve(ModelRef.parse("credit:1")).version()).isEqualTo(1);
    }

    @Test
    void aliasesMoveAndRollBackWithHistory() {
        registry.register("credit", bundle("b1", 0.0), null, "alice", null);
        registry.register("credit", bundle("b2", 1.0), null, "alice", null);
        registry.setAlias("credit", "production", 1, "alice", "first release", Map.of());
        registry.setAlias("credit", "production", 2, "bob", "better AUC", Map.of("forced", true));
        registry.setAlias("credit", "staging", 2, "bob", null, null);
        assertThat(registry.resolve(ModelRef.parse("credit")).version()).isEqualTo(2);
        registry.setAlias("credit", "production", 1, "carol", "rollback: latency", Map.of());
        assertThat(registry.resolve(ModelRef.parse("credit")).version()).isEqualTo(1);
        assertThat(registry.model("credit").orElseThrow().aliases()).containsExactly(Map.entry("production", 1), Map.entry("staging", 2));

        List<ModelEvent> aliasEvents = registry.history("credit").stream().filter(e -> e.type().equals("alias_set")).toList();
        assertThat(aliasEvents).extracting(ModelEvent::alias, ModelEvent::version, ModelEvent::actor, ModelEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("production", 1, "alice", "first release"),
                        org.assertj.core.groups.Tuple.tuple("production", 2, "bob", "better AUC"),
                        org.assertj.core.groups.Tuple.tuple("staging", 2, "bob", null),
                        org.assertj.core.groups.Tuple.tuple("production", 1, "carol", "rollback: latency"));
        assertThat(aliasEvents.get(0).details()).doesNotContainKey("from");
        assertThat(aliasEvents.get(1).details()).containsEntry("from", 1).containsEntry("forced", true);
        assertThat(aliasEvents.get(3).details()).containsEntry("from", 2);
        List<ModelEvent> all = registry.history("credit");
        assertThat(all).extracting(ModelEvent::id).isSorted();
        assertThat(all).extracting(ModelEvent::at).isSorted();

        assertKiln(() -> registry.setAlias("credit", "production", 9, "a", null, Map.of()), ErrorCode.MODEL_NOT_FOUND, "no version 9");
        assertKiln(() -> registry.setAlias("credit", "bad alias", 1, "a", null, Map.of()), ErrorCode.INVALID_ARGUMENT, "bad alias");
        assertKiln(() -> registry.setAlias("credit", "..", 1, "a", null, Map.of()), ErrorCode.INVALID_ARGUMENT, "'..'");
        assertKiln(() -> registry.setAlias("fraud", "production", 1, "a", null, Map.of()), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
        assertThat(registry.history("credit")).hasSameSizeAs(all);
    }

    @Test
    void aliasesCanBeRemoved() {
        registry.register("credit", bundle("b1", 0.0), null, "alice", null);
        registry.setAlias("credit", "staging", 1, "alice", null, Map.of());
        registry.removeAlias("credit", "staging", "bob", "retired");
        assertThat(registry.model("credit").orElseThrow().aliases()).isEmpty();
        ModelEvent last = registry.history("credit").get(registry.history("credit").size() - 1);
        assertThat(last.type()).isEqualTo("alias_removed");
        assertThat(last.alias()).isEqualTo("staging");
        assertThat(last.version()).isEqualTo(1);
        assertThat(last.actor()).isEqualTo("bob");
        assertThat(last.reason()).isEqualTo("retired");
        assertThat(last.details()).containsEntry("from", 1);
        assertKiln(() -> registry.removeAlias("credit", "staging", "bob", null), ErrorCode.MODEL_NOT_FOUND, "no alias 'staging'");
    }

    @Test
    void tagsAndDescriptionsAreRecorded() {
        registry.register("credit", bundle("b1", 0.0), null, "alice", null);
        registry.setTag("credit", "team", "risk", "alice");
        registry.setTag("credit", "team", "fraud", "bob");
        registry.setTag("credit", "tier", "1", "bob");
        registry.setTag("credit", "tier", null, "bob");
        registry.setDescription("credit", "Credit default model", "alice");
        RegisteredModel m = registry.model("credit").orElseThrow();
        assertThat(m.tags()).containsExactly(Map.entry("team", "fraud"));
        assertThat(m.description()).isEqualTo("Credit default model");
        assertThat(registry.history("credit")).extracting(ModelEvent::type).containsExactly("model_created",
                "version_registered", "tag_set", "tag_set", "tag_set", "tag_set", "description_set");
        assertThat(registry.history("credit").get(5).details()).containsEntry("key", "tier").containsEntry("removed", true);
        assertKiln(() -> registry.setTag("fraud", "a", "b", null), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
        assertKiln(() -> registry.setDescription("fraud", "d", null), ErrorCode.MODEL_NOT_FOUND, "'fraud'");
    }

    @Test
    void changesOfTagsThatGovernPromotionAreInTheHistoryWithTheirOldValue() {
        registry.register("credit", bundle("b1", 0.0), null, "alice", null);
        registry.setTag("credit", "gate.roc_auc", ">=0.7", "alice", "the floor agreed with risk");
        registry.setTag("credit", "gate.roc_auc", ">=0.0", "mallory", null);
        registry.setTag("credit", "protected_aliases", "production,staging", "alice");
        registry.setTag("credit", "protected_aliases", null, "bob", "staging no longer gated");
        registry.setTag("credit", "gate.fairness.age.parity_difference", "<=0.2", "alice");
        registry.setTag("credit", "team", "risk", "alice");

        List<ModelEvent> tags = registry.history("credit").stream().filter(e -> e.type().equals("tag_set")).toList();
        assertThat(tags).extracting(ModelEvent::actor).containsExactly("alice", "mallory", "alice", "bob", "alice", "alice");
        ModelEvent first = tags.get(0);
        assertThat(first.reason()).isEqualTo("the floor agreed with risk");
        assertThat(first.details()).containsEntry("key", "gate.roc_auc").containsEntry("value", ">=0.7")
                .containsEntry("governs_promotion", true).doesNotContainKey("from");
        assertThat(tags.get(1).details()).containsEntry("value", ">=0.0").containsEntry("from", ">=0.7");
        assertThat(tags.get(1).at()).isAfterOrEqualTo(first.at());
        assertThat(tags.get(3).details()).containsEntry("key", "protected_aliases").containsEntry("removed", true)
                .containsEntry("from", "production,staging").containsEntry("governs_promotion", true);
        assertThat(tags.get(3).reason()).isEqualTo("staging no longer gated");
        assertThat(tags.get(4).details()).containsEntry("governs_promotion", true);
        assertThat(tags.get(5).details()).containsEntry("key", "team").doesNotContainKey("governs_promotion");
        assertThat(GoverningTags.governsPromotion("gate.fairness.age.parity_difference")).isTrue();
        assertThat(GoverningTags.governsPromotion("protected_aliases")).isTrue();
        assertThat(GoverningTags.governsPromotion("gates")).isFalse();
    }

    @Test
    void bundlePathIsVerified() throws IOException {
        ModelVersion v = registry.register("credit", bundle("b1", 0.0), null, "alice", null);
        Path dir = registry.bundlePath(v);
        assertThat(dir).startsWith(store.home().toRealPath());
        assertThat(dev.kiln.runtime.bundle.Checksums.sha256(dir.resolve("manifest.json"))).isEqualTo(v.bundleSha256());
        assertThat(BundleReader.read(dir).manifest().algorithm()).isEqualTo("linear");
        // the stored bundle is independent of the source directory
        ArtifactStore.deleteTree(work.resolve("b1"));
        assertThat(registry.bundlePath(v)).isEqualTo(dir);
        Path estimator = dir.resolve("estimator.json");
        Files.writeString(estimator, Files.readString(estimator).replace("1.0", "9.0"));
        assertKiln(() -> registry.bundlePath(v), ErrorCode.BUNDLE_CHECKSUM_MISMATCH, "estimator.json");
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentWritersGetGapFreeVersionsAndKeepEveryPoint() throws Exception {
        int threads = 50;
        int points = 10;
        List<Path> bundles = IntStream.range(0, 5).mapToObj(i -> bundle("c" + i, i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Map.Entry<String, Integer>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    Run run = tracking.startRun("load", null, "t" + id, Map.of());
                    for (int step = 0; step < points; step++) {
                        tracking.logMetric(run.id(), "loss", id + step / 100.0, step);
                    }
                    ModelVersion v = registry.register("shared", bundles.get(id % bundles.size()), run.id(), "t" + id, null);
                    tracking.endRun(run.id(), RunStatus.FINISHED);
                    return Map.entry(run.id(), v.version());
                }));
            }
            start.countDown();
            List<Integer> versions = new ArrayList<>();
            for (Future<Map.Entry<String, Integer>> f : futures) {
                Map.Entry<String, Integer> r = f.get(120, TimeUnit.SECONDS);
                versions.add(r.getValue());
                assertThat(tracking.metricHistory(r.getKey(), "loss")).hasSize(points);
            }
            Collections.sort(versions);
            assertThat(versions).isEqualTo(IntStream.rangeClosed(1, threads).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.versions("shared")).extracting(ModelVersion::version)
                .isEqualTo(IntStream.rangeClosed(1, threads).boxed().toList());
        assertThat(registry.model("shared").orElseThrow().latestVersion()).isEqualTo(threads);
        assertThat(registry.history("shared")).filteredOn(e -> e.type().equals("model_created")).hasSize(1);
        assertThat(registry.history("shared")).filteredOn(e -> e.type().equals("version_registered")).hasSize(threads);
        assertThat(tracking.runs("load", 0)).hasSize(threads).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.FINISHED);
            assertThat(r.latestMetrics()).containsKey("loss");
        });
        for (ModelVersion v : registry.versions("shared")) {
            assertThat(registry.bundlePath(v)).exists();
        }
    }

    @Test
    void twoOpensOfAnEmptyStoreMigrateOnce() throws Exception {
        Path freshHome = work.resolve("fresh-home");
        String freshUrl = newDatabaseUrl();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<KilnStore>> opens = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                opens.add(pool.submit(() -> {
                    start.await();
                    return KilnStore.open(freshHome, freshUrl);
                }));
            }
            start.countDown();
            KilnStore a = opens.get(0).get(60, TimeUnit.SECONDS);
            KilnStore b = opens.get(1).get(60, TimeUnit.SECONDS);
            try {
                a.tracking().experiment("x");
                assertThat(b.tracking().experiment("x").id()).isEqualTo(a.tracking().experiment("x").id());
                assertThat(migrations(a)).containsExactlyElementsOf(KilnStore.MIGRATIONS);
            } finally {
                a.close();
                b.close();
            }
        } finally {
            pool.shutdownNow();
        }
        try (KilnStore again = KilnStore.open(freshHome, freshUrl)) {
            assertThat(migrations(again)).containsExactlyElementsOf(KilnStore.MIGRATIONS);
        }
    }

    static List<String> migrations(KilnStore s) {
        return s.db().read(c -> Db.list(c, "SELECT version FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank",
                rs -> rs.getString(1)));
    }
}
