package dev.kiln.app.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.store.KilnStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two watchers of one pipeline, each on its own store over one SQLite file (as two processes would be), fed
 * many triggers: their launches never overlap, and every trigger is served by exactly one run.
 */
class TwoWatchersTest {
    private static final int TRIGGERS_EACH = 60;

    @TempDir
    Path home;

    @Test
    void twoWatchersOfOnePipelineNeverRunItAtOnceAndServeEveryTrigger() throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Trigger> served = java.util.Collections.synchronizedList(new ArrayList<>());
        PipelineLauncher launcher = trigger -> {
            if (active.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(2, 9)); // a run takes a moment
                served.addAll(trigger.causes());
                return LaunchOutcome.succeeded(null, "ok");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return LaunchOutcome.failed(null, "interrupted");
            } finally {
                active.decrementAndGet();
            }
        };
        TriggerSpec spec = new TriggerSpec(null, null, "0 0 1 1 *", ZoneId.of("UTC"), null, List.of(), Duration.ofMillis(3));
        try (KilnStore a = KilnStore.open(home, null); KilnStore b = KilnStore.open(home, null)) {
            AtomicInteger waits = new AtomicInteger();
            List<AtomicInteger> starts = List.of(new AtomicInteger(), new AtomicInteger());
            List<Watcher> watchers = new ArrayList<>();
            for (KilnStore store : List.of(a, b)) {
                AtomicInteger mine = starts.get(watchers.size());
                watchers.add(new Watcher(store, "credit", spec, launcher, e -> {
                    if (e instanceof WatchEvent.Waiting) {
                        waits.incrementAndGet();
                    } else if (e instanceof WatchEvent.Started) {
                        mine.incrementAndGet();
                    }
                }));
            }
            List<Thread> loops = new ArrayList<>();
            for (Watcher w : watchers) {
                Thread t = new Thread(w::run, "watch");
                t.start();
                loops.add(t);
            }
            for (int i = 0; i < TRIGGERS_EACH; i++) {
                for (int w = 0; w < 2; w++) {
                    watchers.get(w).submit(Trigger.of(Trigger.Kind.MANUAL, "w" + w + "-" + i, Instant.now()));
                }
                // Mostly wait for the rounds before this one, so that both watchers race for the lock round after
                // round; every third round not, so that triggers also arrive during runs and queue.
                int before = 2 * i;
                if (i % 3 != 2) {
                    Poll.until(served::size, n -> n >= before, Duration.ofSeconds(60));
                }
            }
            int total = Poll.until(served::size, n -> n >= 2 * TRIGGERS_EACH, Duration.ofSeconds(120));
            for (Watcher w : watchers) {
                w.stop();
                assertThat(w.awaitStopped(Duration.ofSeconds(30))).isTrue();
            }
            for (Thread t : loops) {
                t.join(30_000);
            }
            assertThat(total).isEqualTo(2 * TRIGGERS_EACH);
            assertThat(overlaps.get()).as("launches that overlapped").isZero();
            Map<String, Long> times = served.stream().collect(Collectors.groupingBy(Trigger::reason, Collectors.counting()));
            assertThat(times).hasSize(2 * TRIGGERS_EACH).allSatisfy((reason, n) -> assertThat(n).as(reason).isEqualTo(1));
            assertThat(a.pipelineLocks().holder("credit")).isEmpty();
            assertThat(starts).as("runs started by each watcher").allSatisfy(n -> assertThat(n.get()).isPositive());
            System.out.println("two watchers: runs " + starts + ", waits for the other's lock " + waits);
        }
    }
}
