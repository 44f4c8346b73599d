package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployments of the store on every backend: register, heartbeat, live or lost by age, deregister, prune. */
abstract class DeploymentStoreContract {
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @TempDir
    Path home;

    KilnStore store;
    MutableClock clock;
    DeploymentStore deployments;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        deployments = as("host-a", 4242);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** The store as seen by a process {@code pid} on {@code host}, reading with the test's clock. */
    private DeploymentStore as(String host, long pid) {
        return new JdbcDeploymentStore(store.db(), clock, host, pid);
    }

    private static DeploymentStore.Registration registration(String url) {
        return new DeploymentStore.Registration(url, "1.2.3", "/var/log/kiln", FIVE_SECONDS);
    }

    private static Map<String, Object> serving(String version, double rate) {
        return Map.of("models", List.of(Map.of("name", "credit", "version", version, "traffic", Map.of("request_rate", rate))));
    }

    @Test
    void aRegisteredDeploymentIsListedWithItsStatusAndGoneWhenDeregistered() {
        Instant started = clock.instant();
        Deployment d = deployments.register(registration("http://127.0.0.1:8080"), serving("3", 0.0), started);
        assertThat(d.id()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(d.url()).isEqualTo("http://127.0.0.1:8080");
        assertThat(d.host()).isEqualTo("host-a");
        assertThat(d.pid()).isEqualTo(4242);
        assertThat(d.startedAt()).isEqualTo(started);
        assertThat(d.heartbeatAt()).isEqualTo(started);
        assertThat(d.heartbeatInterval()).isEqualTo(FIVE_SECONDS);
        assertThat(d.kilnVersion()).isEqualTo("1.2.3");
        assertThat(d.logDir()).isEqualTo("/var/log/kiln");
        assertThat(d.state()).isEqualTo(Deployment.LIVE);
        assertThat(d.age()).isEqualTo(Duration.ZERO);
        assertThat(d.status()).isEqualTo(serving("3", 0.0));

        Deployment other = as("host-b", 7).register(new DeploymentStore.Registration("http://10.0.0.2:9000", "1.2.3", null,
                FIVE_SECONDS), Map.of(), started);
        assertThat(other.id()).isNotEqualTo(d.id());
        assertThat(other.logDir()).as("no prediction log").isNull();
        assertThat(deployments.list()).as("by url").extracting(Deployment::id).containsExactly(other.id(), d.id());

        clock.advance(Duration.ofSeconds(4));
        assertThat(deployments.heartbeat(d.id(), serving("4", 12.5), clock.instant())).isTrue();
        Deployment beaten = deployments.get(d.id()).orElseThrow();
        assertThat(beaten.heartbeatAt()).isEqualTo(clock.instant());
        assertThat(beaten.startedAt()).isEqualTo(started);
        assertThat(beaten.status()).isEqualTo(serving("4", 12.5));

        assertThat(deployments.deregister(d.id())).isTrue();
        assertThat(deployments.deregister(d.id())).as("a second deregister").isFalse();
        assertThat(deployments.get(d.id())).isEmpty();
        assertThat(deployments.heartbeat(d.id(), Map.of(), clock.instant())).as("a heartbeat after deregistering").isFalse();
        assertThat(deployments.list()).extracting(Deployment::id).containsExactly(other.id());
    }

    @Test
    void aDeploymentSilentForMoreThanThreeIntervalsIsLostAndListedAfterTheLiveOnes() {
        Deployment a = deployments.register(registration("http://a:1"), Map.of(), clock.instant());
        clock.advance(Duration.ofSeconds(10));
        Deployment b = deployments.register(registration("http://b:1"), Map.of(), clock.instant());

        clock.advance(Duration.ofSeconds(5));
        assertThat(deployments.get(a.id()).orElseThrow().age()).isEqualTo(Duration.ofSeconds(15));
        assertThat(deployments.get(a.id()).orElseThrow().state()).as("exactly three intervals").isEqualTo(Deployment.LIVE);
        clock.advance(Duration.ofMillis(1));
        Deployment lost = deployments.get(a.id()).orElseThrow();
        assertThat(lost.state()).isEqualTo(Deployment.LOST);
        assertThat(lost.live()).isFalse();
        assertThat(deployments.list()).extracting(Deployment::id, Deployment::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(b.id(), Deployment.LIVE),
                        org.assertj.core.groups.Tuple.tuple(a.id(), Deployment.LOST));

        assertThat(deployments.heartbeat(a.id(), Map.of("back", true), clock.instant())).isTrue();
        assertThat(deployments.get(a.id()).orElseThrow().state()).as("a heartbeat brings it back").isEqualTo(Deployment.LIVE);
        assertThat(deployments.list()).extracting(Deployment::id).containsExactly(a.id(), b.id());
    }

    @Test
    void theIntervalOfEachDeploymentDecidesWhenItIsLost() {
        Deployment fast = deployments.register(new DeploymentStore.Registration("http://fast:1", "1", null, Duration.ofMillis(200)),
                Map.of(), clock.instant());
        Deployment slow = deployments.register(new DeploymentStore.Registration("http://slow:1", "1", null, Duration.ofMinutes(1)),
                Map.of(), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        assertThat(deployments.get(fast.id()).orElseThrow().state()).isEqualTo(Deployment.LOST);
        assertThat(deployments.get(slow.id()).orElseThrow().state()).isEqualTo(Deployment.LIVE);
    }

    @Test
    void rowsSilentForMoreThanADayArePruned() {
        Deployment old = deployments.register(registration("http://old:1"), Map.of(), clock.instant());
        clock.advance(Duration.ofHours(20));
        Deployment recent = deployments.register(registration("http://recent:1"), Map.of(), clock.instant());
        clock.advance(Duration.ofHours(4));
        assertThat(deployments.prune()).as("exactly a day old").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(deployments.prune()).isEqualTo(1);
        assertThat(deployments.list()).extracting(Deployment::id).containsExactly(recent.id());
        assertThat(deployments.heartbeat(old.id(), Map.of(), clock.instant())).as("a pruned deployment must register again").isFalse();
    }

    @Test
    void badRegistrationsAreRefused() {
        assertKiln(() -> deployments.register(registration(" "), Map.of(), clock.instant()), ErrorCode.INVALID_ARGUMENT, "url");
        assertKiln(() -> deployments.register(registration("http://" + "x".repeat(2050)), Map.of(), clock.instant()),
                ErrorCode.INVALID_ARGUMENT, "url");
        assertKiln(() -> deployments.register(new DeploymentStore.Registration("http://a:1", "", null, FIVE_SECONDS), Map.of(),
                clock.instant()), ErrorCode.INVALID_ARGUMENT, "kiln_version");
        assertKiln(() -> deployments.register(new DeploymentStore.Registration("http://a:1", "1", null, Duration.ZERO), Map.of(),
                clock.instant()), ErrorCode.INVALID_ARGUMENT, "heartbeat interval");
        assertThat(deployments.list()).isEmpty();
    }

    @Test
    void theStoresOwnDeploymentsAreThisProcesss() {
        Deployment d = store.deployments().register(registration("http://127.0.0.1:1"), Map.of(), Instant.now());
        assertThat(d.host()).isEqualTo(JdbcTrackingStore.HOST);
        assertThat(d.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(store.deployments().list()).extracting(Deployment::id).containsExactly(d.id());
    }
}
