package dev.kiln.app.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.ServingSnapshot;
import dev.kiln.store.Deployment;
import dev.kiln.store.DeploymentStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The heartbeat keeps the process registered whatever the store does, and never lets the store stop it. */
class DeploymentHeartbeatTest {
    private static final DeploymentStore.Registration REG = new DeploymentStore.Registration("http://127.0.0.1:1", "test", null,
            Duration.ofMillis(50));

    /** A store in memory that fails while {@link #failures} is positive, counting down. */
    static final class FlakyStore implements DeploymentStore {
        final Map<String, Map<String, Object>> rows = new ConcurrentHashMap<>();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger registrations = new AtomicInteger();
        final AtomicInteger beats = new AtomicInteger();

        private void maybeFail() {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new KilnException(ErrorCode.INTERNAL, "the Kiln store failed: connection refused");
            }
        }

        @Override
        public Deployment register(Registration r, Map<String, Object> status, Instant startedAt) {
            maybeFail();
            String id = "d" + registrations.incrementAndGet();
            rows.put(id, status);
            return new Deployment(id, r.url(), "h", 1, startedAt, startedAt, r.heartbeatInterval(), r.kilnVersion(), r.logDir(), status,
                    Duration.ZERO, Deployment.LIVE);
        }

        @Override
        public boolean heartbeat(String id, Map<String, Object> status, Instant at) {
            maybeFail();
            beats.incrementAndGet();
            return rows.replace(id, status) != null;
        }

        @Override
        public boolean deregister(String id) {
            maybeFail();
            return rows.remove(id) != null;
        }

        @Override
        public List<Deployment> list() {
            return List.of();
        }

        @Override
        public Optional<Deployment> get(String id) {
            return Optional.empty();
        }

        @Override
        public int prune() {
            return 0;
        }
    }

    private static ServingSnapshot serving() {
        return new ServingSnapshot(Instant.now(), false, List.of());
    }

    @Test
    void registersBeatsAndDeregistersOnClose() throws Exception {
        FlakyStore store = new FlakyStore();
        DeploymentHeartbeat h = DeploymentHeartbeat.start(store, REG, DeploymentHeartbeatTest::serving, Map.of(), Clock.systemUTC());
        try {
            assertThat(Poll.until(() -> store.beats.get(), n -> n >= 3, Duration.ofSeconds(10))).isGreaterThanOrEqualTo(3);
            assertThat(h.id()).isEqualTo("d1");
            assertThat(store.rows.get("d1")).containsEntry("state", "serving");
            assertThat(store.registrations.get()).isEqualTo(1);
        } finally {
            h.close();
        }
        assertThat(store.rows).as("deregistered").isEmpty();
        int beats = store.beats.get();
        assertThat(Poll.until(() -> store.beats.get(), n -> n > beats, Duration.ofMillis(300))).as("no beat after close").isEqualTo(beats);
    }

    @Test
    void aFailingStoreIsRetriedAndARowThatWentAwayIsRegisteredAgain() throws Exception {
        FlakyStore store = new FlakyStore();
        store.failures.set(4);
        AtomicInteger snapshots = new AtomicInteger();
        DeploymentHeartbeat h = DeploymentHeartbeat.start(store, REG, () -> {
            snapshots.incrementAndGet();
            return serving();
        }, Map.of(), Clock.systemUTC());
        try {
            assertThat(Poll.until(h::id, id -> id != null, Duration.ofSeconds(10))).as("registered once the store answers").isEqualTo("d1");
            assertThat(snapshots.get()).as("the beats went on through the failures").isGreaterThanOrEqualTo(5);

            store.rows.clear(); // pruned while out of reach
            assertThat(Poll.until(h::id, id -> id.equals("d2"), Duration.ofSeconds(10))).isEqualTo("d2");
            assertThat(store.rows).containsOnlyKeys("d2");

            store.failures.set(Integer.MAX_VALUE);
        } finally {
            h.close(); // the deregistration fails: logged, not thrown
        }
        assertThat(store.rows).as("left behind; readers will see it lost").containsOnlyKeys("d2");
    }
}
