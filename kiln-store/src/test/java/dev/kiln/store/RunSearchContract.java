package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding runs on every backend: the filter and the order run in the database and agree with
 * {@link RunFilter#matches} and the in-memory order; pages, totals, columns, experiments and the latest metric.
 * Each test gets a fresh home and database.
 */
abstract class RunSearchContract {
    @TempDir
    Path home;

    KilnStore store;
    TrackingStore tracking;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
        tracking = store.tracking();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Run run(String experiment, String name, Map<String, String> params, Map<String, Double> metrics, Map<String, String> tags) {
        Run r = tracking.startRun(experiment, null, name, tags);
        tracking.logParams(r.id(), params);
        tracking.logMetrics(r.id(), metrics, 0);
        return tracking.run(r.id()).orElseThrow();
    }

    private List<String> names(RunPage page) {
        return page.runs().stream().map(Run::name).toList();
    }

    private RunPage find(String filter, String... orders) {
        RunSearch s = RunSearch.all().withFilter(RunFilter.parse(filter));
        if (orders.length > 0) {
            s = s.withOrder(java.util.Arrays.stream(orders).map(RunOrder::parse).toArray(RunOrder[]::new));
        }
        return tracking.search(s);
    }

    @Test
    void aFilterOnMetricsParamsAndTagsFindsTheRunsAndSortsByAMetric() {
        run("credit", "lin", Map.of("algorithm", "linear"), Map.of("roc_auc", 0.71, "my-metric", 3.0), Map.of("team", "risk"));
        run("credit", "gb1", Map.of("algorithm", "gbdt", "depth", "6"), Map.of("roc_auc", 0.83), Map.of("team", "risk"));
        run("credit", "gb2", Map.of("algorithm", "gbdt", "depth", "3"), Map.of("roc_auc", 0.88, "my-metric", 1.0), Map.of());
        run("churn", "gb3", Map.of("algorithm", "gbdt"), Map.of("roc_auc", 0.95), Map.of("team", "growth"));

        RunPage page = find("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'", "metrics.roc_auc DESC");
        assertThat(names(page)).containsExactly("gb3", "gb2", "gb1");
        assertThat(page.total()).isEqualTo(3);
        assertThat(page.nextPageToken()).isNull();
        Run gb2 = page.runs().get(1);
        assertThat(gb2.params()).containsEntry("depth", "3");
        assertThat(gb2.latestMetrics()).containsEntry("roc_auc", 0.88).containsEntry("my-metric", 1.0);

        assertThat(tracking.search(RunSearch.all().withExperiment("credit").withFilter(RunFilter.parse("metrics.roc_auc > 0.8"))).runs())
                .extracting(Run::name).containsExactly("gb2", "gb1");
        assertThat(names(find("metrics.`my-metric` >= 1", "metrics.`my-metric` ASC"))).containsExactly("gb2", "lin");
        assertThat(names(find("tags.team = 'risk' or attributes.experiment = 'churn'", "attributes.name ASC")))
                .containsExactly("gb1", "gb3", "lin");
        assertThat(names(find("not tags.team = 'risk'", "attributes.name"))).as("a missing tag is not 'risk'").containsExactly("gb2", "gb3");
        assertThat(names(find("params.algorithm in ('linear', 'nope')"))).containsExactly("lin");
        assertThat(names(find("params.algorithm not in ('linear')", "params.depth DESC"))).as("missing depth last")
                .containsExactly("gb1", "gb2", "gb3");
        assertThat(names(find("attributes.name like 'gb%' and attributes.status = 'RUNNING'", "metrics.roc_auc ASC")))
                .containsExactly("gb1", "gb2", "gb3");
        assertThat(names(find("params.algorithm like 'GB%'"))).as("like is case-sensitive").isEmpty();
        assertThat(names(find("params.algorithm ilike 'GB%'"))).hasSize(3);
        assertThat(find("").total()).isEqualTo(4);
        assertThat(names(find(""))).as("newest first by default").containsExactly("gb3", "gb2", "gb1", "lin");
    }

    @Test
    void pagesWalkEveryRunOnceWithTheTotal() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            made.add(run("e", "r" + i, Map.of(), Map.of("m", (double) (i % 5)), Map.of()).name());
        }
        RunSearch s = RunSearch.all().withOrder(RunOrder.parse("metrics.m DESC")).withPageSize(10);
        List<String> seen = new ArrayList<>();
        RunPage page = tracking.search(s);
        int pages = 1;
        while (true) {
            assertThat(page.total()).isEqualTo(23);
            seen.addAll(names(page));
            if (page.nextPageToken() == null) {
                break;
            }
            page = tracking.search(s.withPageToken(page.nextPageToken()));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(23).containsExactlyInAnyOrderElementsOf(made);
        assertThat(seen.subList(0, 5)).containsExactly("r19", "r14", "r9", "r4", "r18");
        assertKiln(() -> tracking.search(s.withPageToken("garbage!")), ErrorCode.INVALID_ARGUMENT, "page_token");
        assertKiln(() -> RunSearch.all().withPageSize(0), ErrorCode.INVALID_ARGUMENT, "page_size");
        assertKiln(() -> RunSearch.all().withPageSize(1001), ErrorCode.INVALID_ARGUMENT, "page_size");
        assertThat(tracking.search(s.withPageToken(RunSearch.token(500))).runs()).isEmpty();
        assertKiln(() -> tracking.search(RunSearch.all().withExperiment("nope")), ErrorCode.RUN_NOT_FOUND, "nope");
    }

    @Test
    void theLatestMetricIsByStepThenTimeAndNanSortsLikeMissing() {
        Run a = tracking.startRun("e", null, "a", Map.of());
        tracking.logMetric(a.id(), "loss", 0.9, 0);
        tracking.logMetric(a.id(), "loss", 0.5, 2);
        tracking.logMetric(a.id(), "loss", 0.7, 1); // later, but an earlier step: not the latest
        awaitNextMillisecond();
        tracking.logMetric(a.id(), "loss", 0.4, 2); // same step, later: the latest
        Run b = tracking.startRun("e", null, "b", Map.of());
        tracking.logMetric(b.id(), "loss", Double.NaN, 0);
        Run c = tracking.startRun("e", null, "c", Map.of());
        tracking.logMetric(c.id(), "loss", 0.6, 0);

        assertThat(tracking.run(a.id()).orElseThrow().latestMetrics()).containsExactly(Map.entry("loss", 0.4));
        assertThat(tracking.run(b.id()).orElseThrow().latestMetrics().get("loss")).isNaN();
        assertThat(names(find("metrics.loss < 0.5"))).containsExactly("a");
        assertThat(names(find("metrics.loss != 0.4"))).as("NaN compares false").containsExactly("c");
        assertThat(names(find("", "metrics.loss ASC"))).containsExactly("a", "c", "b");
        assertThat(names(find("", "metrics.loss DESC"))).containsExactly("c", "a", "b");
    }

    @Test
    void timesCompareAsEpochMillisOrIsoStrings() {
        Run a = tracking.startRun("e", null, "a", Map.of());
        tracking.endRun(a.id(), RunStatus.FINISHED);
        Run b = tracking.startRun("e", null, "b", Map.of());
        long t = b.startedAt().toEpochMilli();
        assertThat(names(find("attributes.start_time >= " + t))).contains("b");
        assertThat(names(find("attributes.start_time > '" + b.startedAt().plusMillis(1) + "'"))).isEmpty();
        assertThat(names(find("attributes.end_time > 0"))).as("a running run has no end time").containsExactly("a");
        assertThat(names(find("attributes.status = 'finished'"))).containsExactly("a");
        assertThat(names(find("", "attributes.end_time ASC"))).containsExactly("a", "b");
    }

    @Test
    void userTextIsBoundNeverSpliced() {
        String evil = "x'); DROP TABLE runs; --";
        run("e", evil, Map.of("p", evil), Map.of("m", 1.0), Map.of(evil, "v"));
        assertThat(names(find("params.p = '" + evil.replace("'", "''") + "'"))).containsExactly(evil);
        assertThat(names(find("tags.`" + evil + "` = 'v'"))).containsExactly(evil);
        assertThat(names(find("", "tags.`" + evil + "` DESC", "params.`a\"b` ASC"))).containsExactly(evil);
        assertThat(tracking.search(RunSearch.all()).total()).isEqualTo(1);
    }

    @Test
    void columnsAreTheDistinctKeysOfAnExperimentsRuns() {
        run("a", "1", Map.of("lr", "0.1", "depth", "3"), Map.of("auc", 0.8, "loss", 0.3), Map.of("team", "x"));
        run("a", "2", Map.of("lr", "0.2"), Map.of("auc", 0.7), Map.of());
        run("b", "3", Map.of("seed", "1"), Map.of("rmse", 2.0), Map.of("note", "y"));
        RunColumns a = tracking.columns("a");
        assertThat(a.params()).containsExactly("depth", "lr");
        assertThat(a.metrics()).containsExactly("auc", "loss");
        assertThat(a.tags()).containsExactly("team");
        RunColumns all = tracking.columns(null);
        assertThat(all.params()).containsExactly("depth", "lr", "seed");
        assertThat(all.metrics()).containsExactly("auc", "loss", "rmse");
        assertThat(all.tags()).containsExactly("note", "team");
        assertKiln(() -> tracking.columns("nope"), ErrorCode.RUN_NOT_FOUND, "nope");

        tracking.experiment("empty");
        assertThat(tracking.experiments()).extracting(ExperimentSummary::name, ExperimentSummary::runs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2L), org.assertj.core.groups.Tuple.tuple("b", 1L),
                        org.assertj.core.groups.Tuple.tuple("empty", 0L));
        assertThat(tracking.experiments().get(2).lastRunAt()).isNull();
        assertThat(tracking.experiments().get(0).lastRunAt()).isNotNull();
    }

    @Test
    void aBadFilterNamesItsPosition() {
        assertThatThrownBy(() -> RunFilter.parse("metrics.roc_auc 'gbdt'"))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("at 17: expected a comparison operator after metrics.roc_auc, found ''gbdt''")
                .satisfies(e -> assertThat(((KilnException) e).details())
                        .containsEntry("field", "filter").containsEntry("position", 17));
    }

    /** Random runs, random filters and orders: the database answers what the in-memory meaning says, page by page. */
    @Test
    void randomFiltersAndOrdersAgreeWithTheInMemoryMeaning() {
        int nonEmpty = 0;
        int checked = 0;
        for (long seed = 1; seed <= 3; seed++) {
            RandomRuns random = new RandomRuns(seed);
            String experiment = "random-" + seed;
            List<Run> created = random.fill(tracking, experiment, 40);
            for (int i = 0; i < 120; i++) {
                RunFilter filter = random.filter(1 + i % 6, created);
                List<RunOrder> orders = i % 3 == 0 ? List.of(random.order(), random.order()) : List.of(random.order());
                Comparator<Run> order = RandomRuns.comparator(orders, created);
                List<String> expected = created.stream().filter(filter::matches).sorted(order).map(Run::id).toList();
                RunSearch search = new RunSearch(experiment, filter, orders, 1 + i % 17, null);
                List<String> actual = new ArrayList<>();
                RunPage page = tracking.search(search);
                while (true) {
                    assertThat(page.total()).as("total of %s", filter).isEqualTo(expected.size());
                    page.runs().forEach(r -> actual.add(r.id()));
                    if (page.nextPageToken() == null) {
                        break;
                    }
                    page = tracking.search(search.withPageToken(page.nextPageToken()));
                }
                assertThat(actual).as("seed %d: %s ordered by %s", seed, filter, orders).containsExactlyElementsOf(expected);
                checked++;
                nonEmpty += expected.isEmpty() ? 0 : 1;
            }
        }
        assertThat(nonEmpty).as("filters that found runs, of %d", checked).isBetween(checked / 4, checked - checked / 10);
    }

    /** A database migrated before V6 gets its latest_metrics from the points already logged. */
    @Test
    void theMigrationBackfillsTheLatestMetrics() throws Exception {
        String old = newDatabaseUrl();
        String url = old == null ? "jdbc:sqlite:" + home.resolve("old.db") : old;
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .placeholders(Map.of("id", sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"))
                .target("5").load().migrate();
        String runId = "00000000-0000-0000-0000-000000000001";
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO experiments (name, created_at) VALUES ('old', 1)");
            st.execute("INSERT INTO runs (id, experiment_id, name, status, started_at, host, pid) "
                    + "VALUES ('" + runId + "', (SELECT id FROM experiments), 'old run', 'FINISHED', 1, 'h', 1)");
            // loss: step 2 wins over a later step 1; auc: same step and time, the higher id wins
            st.execute("INSERT INTO metrics (run_id, name, step, value, logged_at) VALUES ('" + runId + "', 'loss', 2, 0.5, 10), ('"
                    + runId + "', 'loss', 1, 0.7, 20), ('" + runId + "', 'auc', 0, 0.8, 5), ('" + runId + "', 'auc', 0, 0.81, 5)");
        }
        try (KilnStore migrated = KilnStore.open(home.resolve("second-home"), url)) {
            assertThat(migrated.tracking().run(runId).orElseThrow().latestMetrics())
                    .containsExactly(Map.entry("auc", 0.81), Map.entry("loss", 0.5));
            assertThat(migrated.tracking().search(RunSearch.all().withFilter(RunFilter.parse("metrics.loss = 0.5"))).total()).isEqualTo(1);
        }
    }

    /** Returns once the wall clock (millisecond times, as the store keeps them) has moved on: "logged later" is then true. */
    static void awaitNextMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() <= now) {
            Thread.onSpinWait();
        }
    }
}
