package dev.kiln.store;

import static dev.kiln.store.StoreContract.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's parts of the store on every backend: the run lock, and the runs with their stage cache; each test gets a fresh home and database. */
abstract class PipelineLockContract {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path home;

    KilnStore store;
    PipelineLocks locks;
    MutableClock clock;

    /** A JDBC URL of a new, empty database, or null for SQLite under the home. */
    abstract String newDatabaseUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = KilnStore.open(home, newDatabaseUrl());
        locks = store.pipelineLocks();
        clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** The locks as seen through the test's clock, as this process. */
    private PipelineLocks clocked() {
        return new JdbcPipelineLocks(store.db(), clock, JdbcTrackingStore.HOST, JdbcTrackingStore.PID);
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aHeldLockExcludesOthersUntilReleased() {
        PipelineLocks.Lease a = locks.tryAcquire("credit", "watch", MINUTE).orElseThrow();
        assertThat(a.pipeline()).isEqualTo("credit");
        assertThat(a.owner()).isEqualTo("watch");
        assertThat(a.host()).isEqualTo(JdbcTrackingStore.HOST);
        assertThat(a.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Duration.between(a.acquiredAt(), a.expiresAt())).isEqualTo(MINUTE);

        assertThat(locks.tryAcquire("credit", "run", MINUTE)).isEmpty();
        assertThat(locks.holder("credit")).hasValueSatisfying(h -> {
            assertThat(h.owner()).isEqualTo("watch");
            assertThat(h.host()).isEqualTo(JdbcTrackingStore.HOST);
            assertThat(h.pid()).isEqualTo(a.pid());
            assertThat(h.since()).isEqualTo(a.acquiredAt());
            assertThat(h.describe()).contains("watch", "pid " + a.pid(), "since " + a.acquiredAt());
        });
        assertThat(locks.tryAcquire("churn", "run", MINUTE)).as("another pipeline's lock").isPresent();

        assertThat(locks.release(a)).isTrue();
        assertThat(locks.release(a)).as("a second release").isFalse();
        assertThat(locks.holder("credit")).isEmpty();
        PipelineLocks.Lease b = locks.tryAcquire("credit", "run", MINUTE).orElseThrow();
        assertThat(b.token()).isNotEqualTo(a.token());
        assertThat(locks.holder("credit")).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("run"));
    }

    @Test
    void renewingKeepsTheLeaseAndAnExpiredOneIsTakenOver() {
        PipelineLocks timed = clocked();
        PipelineLocks.Lease a = timed.tryAcquire("credit", "watch", Duration.ofSeconds(10)).orElseThrow();
        clock.advance(Duration.ofSeconds(8));
        a = timed.renew(a);
        assertThat(a.expiresAt()).isEqualTo(clock.instant().plusSeconds(10));
        clock.advance(Duration.ofSeconds(8));
        assertThat(timed.tryAcquire("credit", "run", MINUTE)).as("within the renewed lease").isEmpty();

        clock.advance(Duration.ofSeconds(3));
        assertThat(timed.holder("credit")).as("an expired lease has no holder").isEmpty();
        PipelineLocks.Lease b = timed.tryAcquire("credit", "run", MINUTE).orElseThrow();
        PipelineLocks.Lease lost = a;
        assertKiln(() -> timed.renew(lost), ErrorCode.CONFLICT, "credit", "lost", "held by run");
        assertThat(timed.release(a)).as("the old holder cannot release the new lease").isFalse();
        assertThat(timed.holder("credit")).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("run"));
        assertThat(timed.release(b)).isTrue();
        assertKiln(() -> timed.renew(b), ErrorCode.CONFLICT, "credit", "released");
    }

    @Test
    void aLeaseOfADeadProcessOnThisHostIsTakenOverButNotOneOfAnotherHost() throws Exception {
        long dead = deadPid();
        new JdbcPipelineLocks(store.db(), clock, JdbcTrackingStore.HOST, dead).tryAcquire("credit", "crashed", Duration.ofHours(1))
                .orElseThrow();
        new JdbcPipelineLocks(store.db(), clock, "some-other-host", dead).tryAcquire("churn", "elsewhere", Duration.ofHours(1))
                .orElseThrow();

        assertThat(clocked().holder("credit")).isEmpty();
        assertThat(clocked().tryAcquire("credit", "watch", MINUTE)).isPresent();
        assertThat(clocked().holder("churn")).hasValueSatisfying(h -> assertThat(h.host()).isEqualTo("some-other-host"));
        assertThat(clocked().tryAcquire("churn", "watch", MINUTE)).as("a process elsewhere cannot be checked").isEmpty();
    }

    @Test
    void ofManyRacingTakersExactlyOneWinsAFreeAndAnExpiredLock() throws Exception {
        assertThat(race(locks)).isEqualTo(1);
        PipelineLocks timed = clocked();
        timed.tryAcquire("expiring", "old", Duration.ofSeconds(1)).orElseThrow();
        clock.advance(Duration.ofSeconds(2));
        assertThat(race(timed, "expiring")).isEqualTo(1);
    }

    private int race(PipelineLocks l) throws Exception {
        return race(l, "credit");
    }

    private static int race(PipelineLocks l, String pipeline) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<PipelineLocks.Lease>>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String owner = "taker-" + i;
                all.add(pool.submit(() -> {
                    start.await();
                    return l.tryAcquire(pipeline, owner, MINUTE);
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Optional<PipelineLocks.Lease>> f : all) {
                won += f.get(60, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            return won;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badNamesAndLeasesAreRefused() {
        assertKiln(() -> locks.tryAcquire(" ", "watch", MINUTE), ErrorCode.INVALID_ARGUMENT, "pipeline");
        assertKiln(() -> locks.tryAcquire("credit", "", MINUTE), ErrorCode.INVALID_ARGUMENT, "owner");
        assertKiln(() -> locks.tryAcquire("credit", "watch", Duration.ZERO), ErrorCode.INVALID_ARGUMENT, "lease");
        assertThat(locks.holder("credit")).isEmpty();
    }

    @Test
    void pipelineRunsRecordStagesAndTheCacheKeepsFinishedStages() {
        PipelineStore pipelines = store.pipelines();
        PipelineRecord run = pipelines.start("credit", "manual", "kiln pipeline run");
        assertThat(run.status()).isEqualTo(PipelineRecord.RUNNING);
        assertThat(run.killed()).as("this process is alive").isFalse();
        List<Map<String, Object>> stages = List.of(Map.of("stage", "ingest", "status", "ran", "key", "k1", "seconds", 0.5));
        pipelines.stages(run.id(), stages);
        assertThat(pipelines.run(run.id()).orElseThrow().stages()).isEqualTo(stages);
        assertThat(pipelines.cached("credit", "ingest", "k1")).isEmpty();
        pipelines.cache("credit", "ingest", "k1", run.id(), Map.of("dataset", "abc", "rows", 1000));
        assertThat(pipelines.cached("credit", "ingest", "k1")).contains(Map.of("dataset", "abc", "rows", 1000));
        assertThat(pipelines.cached("credit", "train", "k1")).as("per stage").isEmpty();
        assertThat(pipelines.cached("fraud", "ingest", "k1")).as("per pipeline").isEmpty();
        pipelines.cache("credit", "ingest", "k1", run.id(), Map.of("dataset", "def"));
        assertThat(pipelines.cached("credit", "ingest", "k1")).contains(Map.of("dataset", "def"));

        PipelineRecord done = pipelines.finish(run.id(), PipelineRecord.SUCCEEDED, "promoted credit:2", stages);
        assertThat(done.status()).isEqualTo(PipelineRecord.SUCCEEDED);
        assertThat(done.endedAt()).isNotNull();
        assertKiln(() -> pipelines.finish(run.id(), PipelineRecord.FAILED, "again", stages), ErrorCode.CONFLICT, "already ended");
        assertKiln(() -> pipelines.stages(run.id(), stages), ErrorCode.CONFLICT, "already ended");
        assertKiln(() -> pipelines.finish("ghost", PipelineRecord.FAILED, "x", stages), ErrorCode.RUN_NOT_FOUND, "ghost");
        PipelineRecord second = pipelines.start("credit", "data", "new file credit-2.csv");
        assertKiln(() -> pipelines.finish(second.id(), "bogus", "x", stages), ErrorCode.INVALID_ARGUMENT, "bogus");
        assertThat(pipelines.runs("credit", 10)).extracting(PipelineRecord::id).containsExactly(second.id(), run.id());
        assertThat(pipelines.runs("fraud", 10)).isEmpty();
        assertThat(pipelines.runs(null, 1)).hasSize(1);

        PipelineRecord fraud = pipelines.start("fraud", "manual", "kiln pipeline run");
        assertThat(pipelines.latestRuns()).as("one per pipeline, the latest, by name").extracting(PipelineRecord::id)
                .containsExactly(second.id(), fraud.id());
        assertThat(pipelines.runCounts()).isEqualTo(Map.of("credit", 2L, "fraud", 1L));
    }
}
