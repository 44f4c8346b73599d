package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's reads for the model page on every backend: versions a page at a time, and the alias events alone. */
abstract class ModelPagingContract {
    @TempDir
    Path home;
    @TempDir
    Path work;

    KilnStore store;
    ModelRegistry registry;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
        registry = store.registry();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void versionsComeNewestFirstOnePageAtATimeUntilNoneAreLeft() {
        Path bundle = TestBundles.write(work.resolve("b"), 0.1);
        for (int i = 0; i < 7; i++) {
            registry.register("credit", bundle, null, "seed", "v" + (i + 1));
        }
        registry.register("other", bundle, null, "seed", null);

        List<Integer> seen = new ArrayList<>();
        Integer before = null;
        int pages = 0;
        while (true) {
            List<ModelVersion> page = registry.versionsNewestFirst("credit", 3, before);
            if (page.isEmpty()) {
                break;
            }
            pages++;
            page.forEach(v -> seen.add(v.version()));
            assertThat(page).allSatisfy(v -> assertThat(v.model()).isEqualTo("credit"));
            before = page.get(page.size() - 1).version();
        }
        assertThat(seen).containsExactly(7, 6, 5, 4, 3, 2, 1);
        assertThat(pages).isEqualTo(3);
        assertThat(registry.versionsNewestFirst("credit", 2, 6)).extracting(ModelVersion::description).containsExactly("v5", "v4");
        assertThat(registry.versionsNewestFirst("credit", 100, 1)).isEmpty();

        assertKiln(() -> registry.versionsNewestFirst("nope", 3, null), ErrorCode.MODEL_NOT_FOUND, "nope");
        assertKiln(() -> registry.versionsNewestFirst("credit", 0, null), ErrorCode.INVALID_ARGUMENT, "at least one");
    }

    @Test
    void theAliasHistoryHoldsOnlyMovesAndRemovalsInOrderWithTheirDetails() {
        Path bundle = TestBundles.write(work.resolve("b"), 0.1);
        registry.register("credit", bundle, null, "seed", null);
        registry.register("credit", bundle, null, "seed", null);
        registry.setAlias("credit", "production", 1, "alice", "first", Map.of("checks", List.of(Map.of("name", "lift", "passed", true))));
        registry.setTag("credit", "team", "risk", "bob");
        registry.setAlias("credit", "staging", 2, "bob", null, Map.of());
        registry.setAlias("credit", "production", 2, "alice", "better", Map.of());
        registry.recordEvent("credit", "rollout_step", 2, "production", "robot", null, Map.of());
        registry.removeAlias("credit", "staging", "carol", "retired");

        List<ModelEvent> moves = registry.aliasHistory("credit");
        assertThat(moves).extracting(ModelEvent::type).containsExactly("alias_set", "alias_set", "alias_set", "alias_removed");
        assertThat(moves).extracting(ModelEvent::alias).containsExactly("production", "staging", "production", "staging");
        assertThat(moves).extracting(ModelEvent::actor).containsExactly("alice", "bob", "alice", "carol");
        assertThat(moves.get(0).details()).containsKey("checks");
        assertThat(moves.get(2).details()).containsEntry("from", 1);
        assertThat(moves.get(3).reason()).isEqualTo("retired");
        assertThat(moves).isSortedAccordingTo((a, b) -> Long.compare(a.id(), b.id()));
        assertKiln(() -> registry.aliasHistory("nope"), ErrorCode.MODEL_NOT_FOUND, "nope");
    }

    @Test
    void eachModelLastChangedWhenItsLatestEventHappened() {
        Path bundle = TestBundles.write(work.resolve("b"), 0.1);
        assertThat(registry.lastChanged()).isEmpty();
        registry.register("credit", bundle, null, "seed", null);
        registry.register("other", bundle, null, "seed", null);
        registry.setTag("credit", "team", "risk", "bob");
        ModelEvent tagged = registry.history("credit").get(registry.history("credit").size() - 1);
        ModelEvent registered = registry.history("other").get(registry.history("other").size() - 1);
        assertThat(registry.lastChanged()).containsOnlyKeys("credit", "other")
                .containsEntry("credit", tagged.at()).containsEntry("other", registered.at());
    }
}
