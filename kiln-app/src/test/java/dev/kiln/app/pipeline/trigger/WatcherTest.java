package dev.kiln.app.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.app.Poll;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineLocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatcherTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:07:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;
    @TempDir
    Path base;

    KilnStore store;
    final MutableClock clock = new MutableClock(T0);
    final List<WatchEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        store = KilnStore.open(home, null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Watcher watcher(TriggerSpec spec, PipelineLauncher launcher) {
        return new Watcher(store, "credit", spec, launcher, events::add, clock, d -> clock.advance(d));
    }

    private static TriggerSpec cron(String cron) {
        return new TriggerSpec(null, null, cron, ZoneId.of("UTC"), null, List.of(), Duration.ofSeconds(10));
    }

    private <T extends WatchEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private void write(String file, String content, Instant at) throws IOException {
        Path f = base.resolve(file);
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.from(at));
    }

    /** Ticks until the run in flight has ended and been finished. */
    private static void finishRun(Watcher w) throws InterruptedException {
        assertThat(w.awaitRun(WAIT)).isTrue();
        w.tick();
        assertThat(w.running()).isFalse();
    }

    @Test
    void aStableDataChangeStartsOneRunAndReleasesTheLock() throws Exception {
        write("train.csv", "a\n1\n", T0.minusSeconds(60));
        FakeLauncher launcher = new FakeLauncher(false);
        Watcher w = watcher(new TriggerSpec("train.csv", base, null, null, null, null, Duration.ofSeconds(5)), launcher);
        w.tick();
        assertThat(launcher.launched).isEmpty();

        write("train.csv", "a\n1\n2\n", T0.minusSeconds(30));
        w.tick();
        assertThat(w.running()).as("settling: seen once").isFalse();
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).singleElement().satisfies(t -> {
            assertThat(t.kind()).isEqualTo(Trigger.Kind.DATA);
            assertThat(t.reason()).contains("train.csv", "1 changed");
        });
        assertThat(events(WatchEvent.Finished.class)).singleElement()
                .satisfies(f -> assertThat(f.outcome()).isEqualTo(LaunchOutcome.succeeded("run-1", "ok")));
        assertThat(store.pipelineLocks().holder("credit")).isEmpty();
        w.tick();
        assertThat(launcher.launched).as("no change, no run").hasSize(1);
    }

    @Test
    void aVanishedDataSourceIsReportedOnceAndStartsNothing() throws Exception {
        write("train.csv", "a\n", T0.minusSeconds(60));
        FakeLauncher launcher = new FakeLauncher(false);
        Watcher w = watcher(new TriggerSpec("train.csv", base, null, null, null, null, Duration.ofSeconds(5)), launcher);
        Files.delete(base.resolve("train.csv"));
        w.tick();
        w.tick();
        assertThat(events(WatchEvent.Problem.class)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("train.csv", "gone"));
        assertThat(w.running()).isFalse();
        assertThat(launcher.launched).isEmpty();
    }

    @Test
    void aScheduleFiresWhenDueAndMissedFiresMakeOneTrigger() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        Watcher w = watcher(cron("*/15 * * * *"), launcher);
        w.tick();
        assertThat(w.running()).isFalse();
        clock.set(Instant.parse("2026-03-01T10:15:00Z"));
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).singleElement().satisfies(t -> {
            assertThat(t.kind()).isEqualTo(Trigger.Kind.SCHEDULE);
            assertThat(t.reason()).contains("*/15 * * * *", "10:15");
        });
        clock.set(Instant.parse("2026-03-01T11:20:00Z")); // four due times passed
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).hasSize(2);
        assertThat(launcher.launched.get(1).causes()).hasSize(1);
        assertThat(launcher.launched.get(1).reason()).contains("10:30");
        w.tick();
        assertThat(launcher.launched).hasSize(2);
        clock.set(Instant.parse("2026-03-01T11:30:00Z"));
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).hasSize(3);
    }

    @Test
    void anAlertOfANamedRuleOpeningAfterTheStartTriggersARun() throws Exception {
        store.alerts().fire("credit", 1, "feature-psi", "feature_psi", "warning", "already open", Map.of(), T0.minusSeconds(60));
        FakeLauncher launcher = new FakeLauncher(false);
        Watcher w = watcher(new TriggerSpec(null, null, null, null, "credit", List.of("feature-psi", "error-rate"),
                Duration.ofSeconds(5)), launcher);
        w.tick();
        assertThat(w.running()).as("open before the watch started").isFalse();

        store.alerts().fire("credit", 2, "latency", "latency", "warning", "slow", Map.of(), T0);
        store.alerts().fire("churn", 2, "error-rate", "error_rate", "warning", "another model", Map.of(), T0);
        w.tick();
        assertThat(w.running()).as("another rule, another model").isFalse();

        store.alerts().resolve("credit", "feature-psi", T0);
        long id = store.alerts().fire("credit", 2, "feature-psi", "feature_psi", "critical", "PSI of age is 0.4", Map.of(),
                T0.plusSeconds(1)).alert().id();
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).singleElement().satisfies(t -> {
            assertThat(t.kind()).isEqualTo(Trigger.Kind.ALERT);
            assertThat(t.reason()).contains("alert #" + id, "feature-psi", "PSI of age");
            assertThat(t.at()).isEqualTo(T0.plusSeconds(1));
        });
        store.alerts().fire("credit", 2, "feature-psi", "feature_psi", "critical", "still", Map.of(), T0.plusSeconds(2));
        w.tick();
        assertThat(w.running()).as("the same alert firing again").isFalse();
    }

    @Test
    void triggersDuringARunAreQueuedAndCoalescedIntoOneNextRun() throws Exception {
        FakeLauncher launcher = new FakeLauncher(true);
        Watcher w = watcher(cron("0 0 1 1 *"), launcher);
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "first", T0));
        w.tick();
        assertThat(w.running()).isTrue();
        assertThat(Poll.until(launcher.launched::size, n -> n == 1, WAIT)).as("the first run under way").isEqualTo(1);
        assertThat(store.pipelineLocks().holder("credit")).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo(Watcher.OWNER));

        w.submit(Trigger.of(Trigger.Kind.MANUAL, "second", T0.plusSeconds(1)));
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "third", T0.plusSeconds(2)));
        w.tick();
        assertThat(w.queued()).isEqualTo(2);
        assertThat(launcher.launched).as("no second run during the first").hasSize(1);

        launcher.finishOne();
        assertThat(w.awaitRun(WAIT)).isTrue();
        w.tick(); // ends the first run and starts the next for both queued triggers
        assertThat(w.running()).isTrue();
        assertThat(w.queued()).isZero();
        launcher.finishOne();
        finishRun(w);

        assertThat(launcher.launched).hasSize(2);
        Trigger next = launcher.launched.get(1);
        assertThat(next.causes()).extracting(Trigger::reason).containsExactly("second", "third");
        assertThat(next.reason()).isEqualTo("manual: second; manual: third");
        assertThat(next.at()).isEqualTo(T0.plusSeconds(1));
        assertThat(launcher.overlaps.get()).isZero();
        assertThat(events(WatchEvent.Started.class)).hasSize(2);
        assertThat(events(WatchEvent.Fired.class)).hasSize(3);
    }

    @Test
    void triggersWaitWhileAnotherProcessHoldsTheLock() throws Exception {
        PipelineLocks.Lease manual = store.pipelineLocks().tryAcquire("credit", "kiln pipeline run", Duration.ofMinutes(5))
                .orElseThrow();
        FakeLauncher launcher = new FakeLauncher(false);
        Watcher w = watcher(cron("0 0 1 1 *"), launcher);
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "wanted", T0));
        w.tick();
        w.tick();
        assertThat(w.running()).isFalse();
        assertThat(w.queued()).isEqualTo(1);
        assertThat(events(WatchEvent.Waiting.class)).as("reported once").singleElement().satisfies(e -> {
            assertThat(e.holder().owner()).isEqualTo("kiln pipeline run");
            assertThat(e.queued()).isEqualTo(1);
        });

        store.pipelineLocks().release(manual);
        w.tick();
        finishRun(w);
        assertThat(launcher.launched).extracting(Trigger::reason).containsExactly("wanted");
    }

    @Test
    void aFailingRunIsReportedAndTheWatchGoesOn() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        launcher.failWith = new KilnException(ErrorCode.TRAINING_FAILED, "the data has one class");
        Watcher w = watcher(cron("0 0 1 1 *"), launcher);
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "one", T0));
        w.tick();
        finishRun(w);
        assertThat(events(WatchEvent.Finished.class)).singleElement().satisfies(f -> {
            assertThat(f.outcome().succeeded()).isFalse();
            assertThat(f.outcome().summary()).contains("one class");
        });
        assertThat(store.pipelineLocks().holder("credit")).isEmpty();

        launcher.failWith = null;
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "two", T0));
        w.tick();
        finishRun(w);
        assertThat(events(WatchEvent.Finished.class)).last().satisfies(f -> assertThat(f.outcome().succeeded()).isTrue());
    }

    @Test
    void stoppingInterruptsTheRunAndReleasesTheLock() throws Exception {
        FakeLauncher launcher = new FakeLauncher(true);
        Watcher w = new Watcher(store, "credit", cron("0 0 1 1 *"), launcher, events::add);
        Thread loop = new Thread(w::run, "watch-loop");
        loop.start();
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "long run", Instant.now()));
        assertThat(Poll.until(() -> launcher.active.get(), n -> n == 1, WAIT)).isEqualTo(1);
        assertThat(store.pipelineLocks().holder("credit")).isPresent();

        w.stop();
        assertThat(w.awaitStopped(WAIT)).isTrue();
        loop.join(WAIT.toMillis());
        assertThat(launcher.interrupted.get()).isEqualTo(1);
        assertThat(store.pipelineLocks().holder("credit")).isEmpty();
        assertThat(events).last().isInstanceOf(WatchEvent.Stopped.class);
        assertThat(events(WatchEvent.Finished.class)).singleElement()
                .satisfies(f -> assertThat(f.outcome().summary()).isEqualTo("interrupted"));
    }

    @Test
    void anInterruptOfTheWatchingThreadStopsItAndItsRunAndReleasesTheLock() throws Exception {
        FakeLauncher launcher = new FakeLauncher(true);
        Watcher w = new Watcher(store, "credit", cron("0 0 1 1 *"), launcher, events::add);
        Thread loop = new Thread(w::run, "watch-loop");
        loop.start();
        w.submit(Trigger.of(Trigger.Kind.MANUAL, "long run", Instant.now()));
        assertThat(Poll.until(() -> launcher.active.get(), n -> n == 1, WAIT)).isEqualTo(1);
        loop.interrupt();
        assertThat(w.awaitStopped(WAIT)).isTrue();
        assertThat(launcher.interrupted.get()).isEqualTo(1);
        assertThat(events).last().isInstanceOf(WatchEvent.Stopped.class);
        assertThat(events(WatchEvent.Problem.class)).isEmpty();
        assertThat(store.pipelineLocks().holder("credit")).as("released, not left to expire").isEmpty();
    }

    @Test
    void theLoopSleepsThePollIntervalOnTheInjectedClock() throws Exception {
        FakeLauncher launcher = new FakeLauncher(false);
        List<Duration> slept = new CopyOnWriteArrayList<>();
        Watcher[] self = new Watcher[1];
        self[0] = new Watcher(store, "credit", cron("*/15 * * * *"), launcher, events::add, clock, d -> {
            slept.add(d);
            clock.advance(d);
            if (!events(WatchEvent.Finished.class).isEmpty()) {
                self[0].stop();
            } else if (self[0].running()) {
                self[0].awaitRun(WAIT);
            }
        });
        self[0].run();
        assertThat(launcher.launched).singleElement().satisfies(t -> assertThat(t.kind()).isEqualTo(Trigger.Kind.SCHEDULE));
        assertThat(slept).allMatch(d -> d.equals(Duration.ofSeconds(10)));
        assertThat(clock.instant()).isAfterOrEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
        assertThat(store.pipelineLocks().holder("credit")).isEmpty();
    }

    @Test
    void specsAndTriggersRefuseBadInput() {
        assertBad(() -> new TriggerSpec(null, null, null, null, null, List.of(), Duration.ofSeconds(1)), "triggers");
        assertBad(() -> new TriggerSpec(null, null, "0 0 * * *", null, null, List.of(), Duration.ZERO), "poll");
        assertBad(() -> new TriggerSpec(null, null, null, null, null, List.of("psi"), Duration.ofSeconds(1)), "model");
        assertBad(() -> new TriggerSpec(null, null, "0 25 * * *", null, null, List.of(), Duration.ofSeconds(1)), "hour");
        assertBad(() -> Trigger.of(Trigger.Kind.MANUAL, " ", T0), "trigger");
        assertBad(() -> new Watcher(store, " ", cron("@daily"), t -> null, null), "name");
    }

    private static void assertBad(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("field", field);
        });
    }
}
