package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineLocks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Keeps a pipeline running itself: looks at its trigger sources every poll interval, queues the triggers that
 * fire, and starts one run at a time for all queued triggers (coalesced into one trigger), holding the pipeline's
 * store lock for the run so that no other watcher, process or manual run runs it at the same time. Triggers that
 * fire during a run, or while another process holds the lock, wait in the queue for the next run: none is lost.
 * A run goes on a worker thread while the loop keeps looking; the lock's lease is renewed in the background.
 * {@link #run()} blocks until {@link #stop()} or an interrupt, then stops the run in flight (interrupting it) and
 * releases the lock.
 */
public final class Watcher {
    /** The owner name recorded on the lock. */
    public static final String OWNER = "kiln pipeline watch";
    /** The shortest lease; longer polls get three poll intervals. */
    public static final Duration MIN_LEASE = Duration.ofMinutes(1);
    /** How long a stopping watch waits for an interrupted run to end before leaving its lease to expire. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** Waits between two looks; the real one wakes early when a run ends or a trigger is submitted. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private record InFlight(Trigger trigger, PipelineLockGuard guard, Future<LaunchOutcome> result, Instant started) {
    }

    private final KilnStore store;
    private final String pipeline;
    private final TriggerSpec spec;
    private final PipelineLauncher launcher;
    private final Consumer<WatchEvent> events;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration lease;
    private final DataWatch data;
    private final CronSchedule cron;
    private final AlertWatch alerts;
    private final ConcurrentLinkedQueue<Trigger> queue = new ConcurrentLinkedQueue<>();
    private final ExecutorService runs;
    private final Object wake = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private boolean woken; // guarded by wake
    private ZonedDateTime nextDue;
    private volatile InFlight inFlight;
    private PipelineLocks.Holder lastWaitingFor;
    private String dataProblem;
    private boolean lostReported;

    /** A watcher on the system clock that sleeps for real. */
    public Watcher(KilnStore store, String pipeline, TriggerSpec spec, PipelineLauncher launcher, Consumer<WatchEvent> events) {
        this(store, pipeline, spec, launcher, events, Clock.systemUTC(), null);
    }

    /**
     * A watcher on {@code clock} that waits with {@code sleeper} (null: really, waking early when a run ends).
     * Starts its sources now: the data as it is now and the alerts open now are not triggers.
     */
    public Watcher(KilnStore store, String pipeline, TriggerSpec spec, PipelineLauncher launcher, Consumer<WatchEvent> events,
                   Clock clock, Sleeper sleeper) {
        if (pipeline == null || pipeline.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a pipeline name is needed to watch", Map.of("field", "name"));
        }
        this.store = store;
        this.pipeline = pipeline;
        this.spec = spec;
        this.launcher = launcher;
        this.events = events == null ? e -> { } : events;
        this.clock = clock;
        this.sleeper = sleeper == null ? this::sleepUnlessWoken : sleeper;
        Duration threePolls = spec.poll().multipliedBy(3);
        this.lease = threePolls.compareTo(MIN_LEASE) > 0 ? threePolls : MIN_LEASE;
        this.data = spec.data() == null ? null : DataWatch.start(spec.data(), spec.baseDir(), clock);
        this.cron = spec.cron() == null ? null : CronSchedule.parse(spec.cron());
        this.nextDue = cron == null ? null : cron.next(clock.instant().atZone(spec.zone()));
        this.alerts = spec.alertRules().isEmpty() ? null : AlertWatch.start(store.alerts(), spec.model(), spec.alertRules());
        this.runs = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kiln-pipeline-" + pipeline);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a trigger from outside (a manual request); thread-safe. */
    public void submit(Trigger trigger) {
        queue.add(trigger);
        emit(new WatchEvent.Fired(clock.instant(), trigger));
        wakeUp();
    }

    /** Watches until {@link #stop()} or an interrupt of the calling thread. */
    public void run() {
        try {
            while (!stopping && !Thread.currentThread().isInterrupted()) {
                tick();
                sleeper.sleep(spec.poll());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown();
            stopped.countDown();
        }
    }

    /** Asks {@link #run()} to stop; it returns once the run in flight has stopped and the lock is released. */
    public void stop() {
        stopping = true;
        wakeUp();
    }

    /** Waits until {@link #run()} has returned; whether it did within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Triggers waiting for the next run. */
    public int queued() {
        return queue.size();
    }

    /**
     * One step: ends the finished run (releasing the lock), looks at the sources, and starts a run for the queued
     * triggers when none is in flight and the lock is free. Store errors are reported, not thrown: the watch goes on.
     */
    void tick() {
        try {
            finishIfDone();
            look();
            startIfQueued();
        } catch (KilnException e) {
            problem("the watch of pipeline '" + pipeline + "' failed a step: " + e.getMessage());
        }
    }

    /** For tests: waits for the run in flight to end (without ending it; the next tick does). */
    boolean awaitRun(Duration timeout) throws InterruptedException {
        InFlight f = inFlight;
        if (f == null) {
            return true;
        }
        try {
            f.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** Whether a run is in flight (as of the last tick). */
    boolean running() {
        return inFlight != null;
    }

    // ---------------------------------------------------------------- steps

    /** Queues what fired as soon as it is seen, so that a later source's failure cannot lose it. */
    private void look() {
        Instant now = clock.instant();
        if (data != null) {
            DataChange change = data.changed();
            if (change instanceof DataChange.Changed c) {
                fire(now, Trigger.of(Trigger.Kind.DATA, "data " + data.spec() + " changed: " + c.describe(), now));
            }
            String problem = change instanceof DataChange.Problem p ? p.message() : null;
            if (problem != null && !problem.equals(dataProblem)) {
                emit(new WatchEvent.Problem(now, problem)); // once, not at every look while it lasts
            }
            dataProblem = problem;
        }
        if (cron != null && !now.isBefore(nextDue.toInstant())) {
            ZonedDateTime due = nextDue;
            nextDue = cron.next(now.atZone(spec.zone())); // fires missed while the watch was away coalesce into this one
            fire(now, Trigger.of(Trigger.Kind.SCHEDULE, "schedule '" + cron.expression() + "' was due at " + due, now));
        }
        if (alerts != null) {
            alerts.poll().forEach(t -> fire(now, t));
        }
    }

    private void fire(Instant now, Trigger t) {
        queue.add(t);
        emit(new WatchEvent.Fired(now, t));
    }

    private void startIfQueued() {
        if (inFlight != null || queue.isEmpty() || stopping) {
            return;
        }
        Optional<PipelineLockGuard> guard = PipelineLockGuard.tryHold(store, pipeline, OWNER, lease);
        if (guard.isEmpty()) {
            Optional<PipelineLocks.Holder> holder = store.pipelineLocks().holder(pipeline);
            if (holder.isPresent() && !sameHolder(holder.get(), lastWaitingFor)) {
                lastWaitingFor = holder.get();
                emit(new WatchEvent.Waiting(clock.instant(), holder.get(), queue.size()));
            }
            return;
        }
        lastWaitingFor = null;
        lostReported = false;
        List<Trigger> taken = new ArrayList<>();
        for (Trigger t = queue.poll(); t != null; t = queue.poll()) {
            taken.add(t);
        }
        Trigger trigger = Trigger.coalesce(taken);
        Instant started = clock.instant();
        emit(new WatchEvent.Started(started, trigger));
        Future<LaunchOutcome> result = runs.submit(() -> {
            try {
                return launcher.launch(trigger);
            } finally {
                wakeUp();
            }
        });
        inFlight = new InFlight(trigger, guard.get(), result, started);
    }

    private void finishIfDone() {
        InFlight f = inFlight;
        if (f == null || !f.result().isDone()) {
            if (f != null && f.guard().lost() && !lostReported) {
                lostReported = true;
                problem("the lock of pipeline '" + pipeline + "' was lost during a run (the lease ran out): another run may start");
            }
            return;
        }
        inFlight = null;
        f.guard().close();
        emit(new WatchEvent.Finished(clock.instant(), f.trigger(), outcome(f.result()),
                Duration.between(f.started(), clock.instant())));
    }

    private static LaunchOutcome outcome(Future<LaunchOutcome> result) {
        try {
            LaunchOutcome o = result.get();
            return o == null ? LaunchOutcome.failed(null, "the launcher returned no outcome") : o;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return LaunchOutcome.failed(null, cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LaunchOutcome.failed(null, "interrupted");
        } catch (java.util.concurrent.CancellationException e) {
            return LaunchOutcome.failed(null, "cancelled");
        }
    }

    /** Stops the run in flight (interrupting it), waits a grace period for it, and releases the lock. */
    private void shutdown() {
        // An interrupt that stopped the watch must not cut short the wait for the run, nor the release: set it aside.
        boolean interrupted = Thread.interrupted();
        runs.shutdownNow();
        InFlight f = inFlight;
        if (f != null) {
            boolean ended;
            try {
                ended = runs.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // interrupted again: stop waiting
                ended = f.result().isDone();
            }
            if (ended) {
                f.guard().close();
                emit(new WatchEvent.Finished(clock.instant(), f.trigger(), outcome(f.result()),
                        Duration.between(f.started(), clock.instant())));
            } else {
                f.guard().abandon();
                problem("the run of pipeline '" + pipeline + "' did not stop within " + STOP_GRACE.toSeconds()
                        + "s; its lock expires by itself");
            }
            inFlight = null;
        }
        emit(new WatchEvent.Stopped(clock.instant(), queue.size()));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void problem(String message) {
        emit(new WatchEvent.Problem(clock.instant(), message));
    }

    /** The same acquisition of the lock: renewals change only its times. */
    private static boolean sameHolder(PipelineLocks.Holder a, PipelineLocks.Holder b) {
        return b != null && a.owner().equals(b.owner()) && a.host().equals(b.host()) && a.pid() == b.pid()
                && a.since().equals(b.since());
    }

    private void emit(WatchEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ignored) {
            // a listener's failure must not stop the watch
        }
    }

    private void sleepUnlessWoken(Duration d) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (wake) {
            while (!woken && !stopping) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                wake.wait(left);
            }
            woken = false;
        }
    }

    private void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }
}
