package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.promotion.LiveEvidence;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.app.promotion.Rollout;
import dev.kiln.app.promotion.RolloutPlan;
import dev.kiln.app.promotion.RolloutResult;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.Alert;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Rollouts against a real {@code kiln serve} in this JVM (the CLI's own server, following {@code credit@production}
 * on a temp Kiln home) with live traffic on a background thread: the shadow, the canary and the alias end to end.
 */
class RolloutEndToEndTest {
    static final String ADMIN = "rollout-test-admin-token-0123456789";
    /** The gates compare like with like elsewhere; here the candidates' offline metrics must not stand in the way. */
    static final Promotion.Policy LAX = new Promotion.Policy(List.of(), 0.0, 1.0);

    @TempDir
    Path home;
    Path tokenFile;
    final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void registry() throws Exception {
        tokenFile = Files.writeString(home.resolve("admin.token"), ADMIN + "\n");
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().register("credit", RolloutBundles.good(), null, "test", "production");
            s.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
        }
    }

    private int register(Path bundle) {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().register("credit", bundle, null, "test", "candidate").version();
        }
    }

    InferenceServer serve(int port) {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", Integer.toString(port), "--poll-seconds", "1",
                "--model", "credit=credit", "--admin-token-file", tokenFile.toString());
        return command.start();
    }

    RolloutPlan plan(RolloutPlan.Kind kind, int port) {
        return RolloutPlan.defaults(kind, URI.create("http://127.0.0.1:" + port), ADMIN, "--admin-token-file " + tokenFile)
                .withShadow(40, 0.0, 0, Duration.ofSeconds(60))
                .withCanary(List.of(50.0, 100.0), Duration.ofMillis(300), Duration.ofSeconds(90))
                .withWaits(Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(50));
    }

    RolloutResult rollout(int version, RolloutPlan plan) {
        try (KilnStore s = KilnStore.open(home, null)) {
            return Rollout.run(s, "credit", "production", version, LAX, plan, Clock.systemUTC(), progress::add);
        }
    }

    List<ModelEvent> history() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().history("credit");
        }
    }

    List<Alert> openAlerts() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.alerts().list("credit", true, 10);
        }
    }

    int production() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().model("credit").orElseThrow().aliases().get("production");
        }
    }

    static List<String> types(List<ModelEvent> events) {
        return events.stream().map(ModelEvent::type).toList();
    }

    @Test
    void aGoodCandidateGoesThroughShadowAndCanaryAndTheServerEndsUpAnsweringWithIt() throws Exception {
        int v2 = register(RolloutBundles.good());
        try (InferenceServer server = serve(0); LiveTraffic traffic = new LiveTraffic(server.port(), true, null)) {
            RolloutResult r = rollout(v2, plan(RolloutPlan.Kind.SHADOW_CANARY, server.port()).withLogDir(home.resolve("logs/predictions")));

            assertThat(r.outcome()).as(r.reason() + "\n" + progress).isEqualTo(RolloutResult.Outcome.PROMOTED);
            assertThat(r.steps().stream().map(RolloutResult.Step::name).toList())
                    .containsSubsequence("gates", "shadow", "evidence", "canary", "canary_step", "canary_complete", "promote", "answering");
            assertThat(r.evidence().requests()).isGreaterThanOrEqualTo(40);
            assertThat(r.evidence().agreement()).as("the same bundle agrees with itself").isEqualTo(1.0);
            assertThat(r.evidence().significantlyWorse()).isFalse();
            assertThat(r.leadTime()).isPositive();
            assertThat(server.models().get("credit").orElseThrow().version()).isEqualTo(Integer.toString(v2));
            assertThat(server.models().canary("credit")).as("the canary is removed once the alias answers").isEmpty();
            assertThat(server.models().shadow("credit")).isEmpty();
            assertThat(production()).isEqualTo(v2);
            assertThat(traffic.failures).as("no live request failed during the rollout").isEmpty();
        }
        List<ModelEvent> events = history();
        assertThat(types(events)).contains(LiveEvidence.EVENT_TYPE, "rollout_step", "alias_set");
        ModelEvent evidence = events.stream().filter(e -> e.type().equals(LiveEvidence.EVENT_TYPE)).findFirst().orElseThrow();
        assertThat(LiveEvidence.fromEvent(evidence).orElseThrow().source()).isEqualTo("shadow");
        assertThat(events.stream().filter(e -> e.type().equals("rollout_step")).map(e -> e.details().get("step")))
                .contains("canary_step", "answering");
        assertThat(openAlerts()).isEmpty();
    }

    @Test
    void aCandidateWorseOnLabelledTrafficIsRefusedWithItsEvidenceAndProductionStays() throws Exception {
        int v2 = register(RolloutBundles.wrong());
        try (InferenceServer server = serve(0); LiveTraffic traffic = new LiveTraffic(server.port(), true, null)) {
            RolloutPlan plan = plan(RolloutPlan.Kind.SHADOW_CANARY, server.port()).withLogDir(home.resolve("logs/predictions"))
                    .withShadow(60, 0.0, 60, Duration.ofSeconds(60));
            RolloutResult r = rollout(v2, plan);

            assertThat(r.outcome()).as(r.reason() + "\n" + progress).isEqualTo(RolloutResult.Outcome.REFUSED);
            assertThat(r.reason()).contains("significantly worse").contains("accuracy");
            LiveEvidence e = r.evidence();
            assertThat(e.significantlyWorse()).isTrue();
            assertThat(e.labelled()).isGreaterThanOrEqualTo(60);
            assertThat(e.candidate()).isLessThan(e.production());
            assertThat(e.pValue()).isLessThan(0.05);
            assertThat(server.models().get("credit").orElseThrow().version()).isEqualTo("1");
            assertThat(server.models().shadow("credit")).as("the shadow is removed").isEmpty();
            assertThat(server.models().canary("credit")).as("no canary was placed").isEmpty();
        }
        assertThat(production()).isEqualTo(1);
        List<ModelEvent> events = history();
        ModelEvent refused = events.stream().filter(x -> x.type().equals("rollout_refused")).findFirst().orElseThrow();
        assertThat(refused.version()).isEqualTo(v2);
        assertThat(refused.details().get("significantly_worse")).isEqualTo(true);
        assertThat(types(events)).contains(LiveEvidence.EVENT_TYPE).doesNotContain("rollout_rolled_back");
        Alert alert = openAlerts().get(0);
        assertThat(alert.rule()).isEqualTo("rollout");
        assertThat(alert.message()).contains("significantly worse");
    }

    @Test
    void aCanaryTheServerRollsBackLeavesProductionAndASkippedShadowIsRecordedAsForced() throws Exception {
        int v2 = register(RolloutBundles.good());
        try (InferenceServer server = serve(0); LiveTraffic traffic = new LiveTraffic(server.port(), false, Integer.toString(v2))) {
            RolloutPlan plan = plan(RolloutPlan.Kind.SHADOW_CANARY, server.port())
                    .withOverride(true, Set.of(RolloutPlan.Phase.SHADOW), "shadowed last week");
            RolloutResult r = rollout(v2, plan);

            assertThat(r.outcome()).as(r.reason() + "\n" + progress).isEqualTo(RolloutResult.Outcome.ROLLED_BACK);
            assertThat(r.reason()).contains("rolled back").contains("error rate");
            assertThat(server.models().canary("credit")).isEmpty();
            assertThat(server.models().get("credit").orElseThrow().version()).isEqualTo("1");
        }
        assertThat(production()).isEqualTo(1);
        List<ModelEvent> events = history();
        ModelEvent skipped = events.stream().filter(x -> x.type().equals("rollout_step") && "shadow".equals(x.details().get("step")))
                .findFirst().orElseThrow();
        assertThat(skipped.details().get("forced")).isEqualTo(true);
        assertThat(skipped.reason()).isEqualTo("shadowed last week");
        ModelEvent rolledBack = events.stream().filter(x -> x.type().equals("rollout_rolled_back")).findFirst().orElseThrow();
        assertThat(rolledBack.details().get("state")).isEqualTo("rolled_back");
        assertThat(String.valueOf(rolledBack.details().get("server_reason"))).contains("error rate");
        assertThat(((Map<?, ?>) rolledBack.details().get("canary_requests")).get("client_error")).as("the canary's figures")
                .isInstanceOfSatisfying(Number.class, n -> assertThat(n.longValue()).isPositive());
        assertThat(openAlerts()).extracting(Alert::kind).containsExactly("rollout_rolled_back");
    }

    @Test
    void aServerThatGoesAwayMidShadowFailsTheRolloutCleanlyWithinTheWait() throws Exception {
        int v2 = register(RolloutBundles.good());
        InferenceServer server = serve(0);
        int port = server.port();
        RolloutResult r;
        try (LiveTraffic traffic = new LiveTraffic(port, false, null)) {
            // The shadow waits for more requests than this test sends before the server goes away.
            RolloutPlan plan = plan(RolloutPlan.Kind.SHADOW_CANARY, port).withShadow(1_000_000, 0.0, 0, Duration.ofSeconds(60));
            Thread stopper = new Thread(() -> {
                try {
                    dev.kiln.app.Poll.until(() -> server.models().shadow("credit").isPresent(), b -> b, Duration.ofSeconds(30));
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stopper.start();
            long start = System.nanoTime();
            r = rollout(v2, plan);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            stopper.join(10_000);
            assertThat(took).as("fails within the shadow's wait, not at its end").isLessThan(Duration.ofSeconds(30));
        }
        assertThat(r.outcome()).as(r.reason()).isEqualTo(RolloutResult.Outcome.FAILED);
        assertThat(r.error()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(r.reason()).contains("http://127.0.0.1:" + port).contains("could not be reached");
        assertThat(production()).isEqualTo(1);
        ModelEvent failed = history().stream().filter(x -> x.type().equals("rollout_failed")).findFirst().orElseThrow();
        assertThat(failed.details().get("url")).isEqualTo("http://127.0.0.1:" + port);
        assertThat(failed.details().get("error")).isEqualTo("unavailable");
        assertThat(String.valueOf(failed.details().get("undone"))).contains("the shadow could not be removed");
        assertThat(openAlerts()).extracting(Alert::kind).containsExactly("rollout_failed");
    }
    @Test
    void aServerThatRestartsMidShadowAndLostItIsDetectedAndReported() throws Exception {
        int v2 = register(RolloutBundles.good());
        InferenceServer first = serve(0);
        int port = first.port();
        InferenceServer[] restarted = new InferenceServer[1];
        Thread restarter = new Thread(() -> {
            try {
                dev.kiln.app.Poll.until(() -> first.models().shadow("credit").isPresent(), b -> b, Duration.ofSeconds(30));
                first.close();
                restarted[0] = serve(port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        RolloutResult r;
        try (LiveTraffic traffic = new LiveTraffic(port, false, null)) {
            RolloutPlan plan = plan(RolloutPlan.Kind.SHADOW_CANARY, port).withShadow(1_000_000, 0.0, 0, Duration.ofSeconds(60))
                    .withWaits(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofMillis(50));
            restarter.start();
            r = rollout(v2, plan);
            restarter.join(30_000);
        }
        try (InferenceServer again = restarted[0]) {
            assertThat(again).as("the server came back").isNotNull();
            assertThat(r.outcome()).as(r.reason()).isEqualTo(RolloutResult.Outcome.FAILED);
            assertThat(r.error()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(r.reason()).contains("lost the shadow").contains("restarted");
            assertThat(again.models().shadow("credit")).isEmpty();
            assertThat(again.models().get("credit").orElseThrow().version()).isEqualTo("1");
        }
        assertThat(production()).isEqualTo(1);
        assertThat(types(history())).contains("rollout_failed");
    }
}
