package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Monitoring alerts, on every store backend: opened once per model and rule, seen again, resolved by the monitor or a person. */
abstract class AlertStoreContract {
    @TempDir
    Path home;

    KilnStore store;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void anAlertStaysOpenWhileItsRuleKeepsFiringAndResolvesOnce() {
        AlertStore alerts = store.alerts();
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        AlertStore.Fired first = alerts.fire("credit", 3, "feature-psi", "feature_psi", "warning",
                "PSI of age is 0.31 (> 0.2)", Map.of("feature", "age", "psi", 0.31), t0);
        assertThat(first.opened()).isTrue();
        assertThat(first.alert().open()).isTrue();
        assertThat(first.alert().evidence()).containsEntry("feature", "age").containsEntry("psi", 0.31);

        AlertStore.Fired again = alerts.fire("credit", 4, "feature-psi", "feature_psi", "critical",
                "PSI of age is 0.45 (> 0.2)", Map.of("feature", "age", "psi", 0.45), t0.plusSeconds(60));
        assertThat(again.opened()).isFalse();
        assertThat(again.alert().id()).isEqualTo(first.alert().id());
        assertThat(again.alert().timesSeen()).isEqualTo(2);
        assertThat(again.alert().version()).isEqualTo(4);
        assertThat(again.alert().severity()).isEqualTo("critical");
        assertThat(again.alert().firstSeenAt()).isEqualTo(t0);
        assertThat(again.alert().lastSeenAt()).isEqualTo(t0.plusSeconds(60));

        alerts.fire("other", null, "feature-psi", "feature_psi", "warning", "m", Map.of(), t0);
        assertThat(alerts.list("credit", true, 10)).hasSize(1);
        assertThat(alerts.list(null, true, 10)).hasSize(2);

        assertThat(alerts.resolve("credit", "feature-psi", t0.plusSeconds(120))).hasValueSatisfying(a -> {
            assertThat(a.status()).isEqualTo(Alert.RESOLVED);
            assertThat(a.resolvedAt()).isEqualTo(t0.plusSeconds(120));
        });
        assertThat(alerts.resolve("credit", "feature-psi", t0.plusSeconds(180))).isEmpty();
        assertThat(alerts.list("credit", true, 10)).isEmpty();

        AlertStore.Fired reopened = alerts.fire("credit", 4, "feature-psi", "feature_psi", "warning", "m",
                Map.of(), t0.plusSeconds(240));
        assertThat(reopened.opened()).isTrue();
        assertThat(reopened.alert().id()).isNotEqualTo(first.alert().id());
        assertThat(alerts.list("credit", false, 10)).extracting(Alert::id)
                .containsExactly(reopened.alert().id(), first.alert().id());
        assertThat(alerts.get(first.alert().id())).hasValueSatisfying(a -> assertThat(a.open()).isFalse());
    }

    @Test
    void aPersonResolvesAnOpenAlertOnceWithWhoAndWhy() {
        AlertStore alerts = store.alerts();
        java.time.Instant t0 = java.time.Instant.parse("2026-11-23T10:00:00Z");
        Alert open = alerts.fire("credit", 3, "feature-psi", "feature_psi", "warning", "PSI high",
                Map.of("psi", 0.4), t0).alert();
        StoreContract.assertKiln(() -> alerts.resolve(open.id(), "ana", "  ", t0), ErrorCode.INVALID_ARGUMENT, "reason");
        StoreContract.assertKiln(() -> alerts.resolve(open.id() + 1000, "ana", "fixed", t0), ErrorCode.MODEL_NOT_FOUND, "no alert");

        Alert resolved = alerts.resolve(open.id(), "ana", " upstream feed fixed ", t0.plusSeconds(60));
        assertThat(resolved.status()).isEqualTo(Alert.RESOLVED);
        assertThat(resolved.resolvedAt()).isEqualTo(t0.plusSeconds(60));
        assertThat(resolved.resolvedBy()).isEqualTo("ana");
        assertThat(resolved.resolveReason()).isEqualTo("upstream feed fixed");
        assertThat(alerts.get(open.id())).hasValue(resolved);
        StoreContract.assertKiln(() -> alerts.resolve(open.id(), "bo", "again", t0.plusSeconds(120)), ErrorCode.CONFLICT, "already resolved");
        assertThat(alerts.get(open.id()).orElseThrow().resolvedBy()).as("the first resolution stays").isEqualTo("ana");

        // The monitor's own resolution (its rule cleared) names nobody; resolving it again is the same conflict.
        Alert second = alerts.fire("credit", 3, "feature-psi", "feature_psi", "warning", "PSI high", Map.of(), t0).alert();
        assertThat(alerts.resolve("credit", "feature-psi", t0.plusSeconds(5))).hasValueSatisfying(a -> {
            assertThat(a.resolvedBy()).isNull();
            assertThat(a.resolveReason()).isNull();
        });
        StoreContract.assertKiln(() -> alerts.resolve(second.id(), "ana", "done", t0), ErrorCode.CONFLICT, "the monitor");
    }

    @Test
    void concurrentEvaluatorsOpenOneAlertPerModelAndRule() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<AlertStore.Fired>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(pool.submit(() -> store.alerts().fire("credit", 1, "errors", "error_rate", "critical",
                        "error rate 5%", Map.of(), java.time.Instant.now())));
            }
            int opened = 0;
            for (Future<AlertStore.Fired> f : all) {
                opened += f.get(60, TimeUnit.SECONDS).opened() ? 1 : 0;
            }
            assertThat(opened).isEqualTo(1);
            assertThat(store.alerts().list("credit", false, 100)).hasSize(1)
                    .first().satisfies(a -> assertThat(a.timesSeen()).isEqualTo(40));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnknownSeverityIsRefused() {
        StoreContract.assertKiln(() -> store.alerts().fire("credit", 1, "r", "k", "panic", "m", Map.of(), java.time.Instant.now()),
                ErrorCode.INVALID_ARGUMENT, "severity");
    }
}
