package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineMonitor;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.app.pipeline.WatchLauncher;
import dev.kiln.app.pipeline.trigger.LaunchOutcome;
import dev.kiln.app.pipeline.trigger.Trigger;
import dev.kiln.app.pipeline.trigger.TriggerSpec;
import dev.kiln.app.pipeline.trigger.WatchEvent;
import dev.kiln.app.pipeline.trigger.Watcher;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.store.KilnStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stay running and start a pipeline run when a trigger of kiln.yaml fires: the data changes (a new or "
                + "changed file, a new file in the directory; once it has stopped changing), the cron schedule comes round, "
                + "or a named monitoring alert opens on the model.",
                "One run at a time per pipeline, also across processes and against 'kiln pipeline run' (a lock in the store); "
                        + "triggers that fire during a run are queued and start one next run that lists them all. The file is "
                        + "read again for every run. SIGTERM or Ctrl-C finishes cleanly: the run in flight is interrupted "
                        + "and the lock released."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped (a signal, or --max-runs reached)", "2:a mistake in kiln.yaml or its triggers",
                "3:the pipeline file is missing"})
final class PipelineWatch implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--file", "-f"}, defaultValue = PipelineFile.DEFAULT_NAME, paramLabel = "FILE",
            description = "the pipeline file (default: ${DEFAULT-VALUE})")
    Path file;

    @Option(names = "--max-runs", paramLabel = "N", description = "stop after N runs (default: run until stopped)")
    Integer maxRuns;

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "print each event as one JSON line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PipelineSpec pipeline = PipelineFile.load(file);
        PipelineSpec.Triggers t = pipeline.triggers();
        TriggerSpec triggers = new TriggerSpec(t.data() ? pipeline.data() : null, pipeline.baseDir(), t.cron(),
                t.zone() == null ? null : ZoneId.of(t.zone()), pipeline.name(), t.onAlerts(), t.poll());
        PrintWriter out = spec.commandLine().getOut();
        AtomicInteger runs = new AtomicInteger();
        try (KilnStore s = store.open()) {
            Watcher[] watcher = new Watcher[1];
            WatchLauncher launcher = new WatchLauncher(s, file.toAbsolutePath().normalize(), Promotion.actor(),
                    r -> line(out, Map.of("event", "stage", "stage", r.stage().wireName(), "status", r.status(),
                            "message", r.message()), "  " + r.line()));
            watcher[0] = new Watcher(s, pipeline.name(), triggers, launcher, e -> {
                event(out, e);
                if (e instanceof WatchEvent.Finished && maxRuns != null && runs.incrementAndGet() >= maxRuns) {
                    watcher[0].stop();
                }
            });
            Thread hook = new Thread(() -> {
                watcher[0].stop();
                try {
                    watcher[0].awaitStopped(Duration.ofSeconds(40));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kiln-pipeline-watch-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            line(out, Map.of("event", "watching", "pipeline", pipeline.name(), "triggers", describe(triggers)),
                    "watching " + pipeline.name() + " (" + describe(triggers) + "); Ctrl-C stops");
            java.util.concurrent.ScheduledExecutorService monitor = null;
            if (pipeline.monitor() != null) {
                PipelineMonitor checks = new PipelineMonitor(s, pipeline, text -> line(out, Map.of("event", "monitor",
                        "message", text), text));
                monitor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "kiln-pipeline-monitor");
                    thread.setDaemon(true);
                    return thread;
                });
                long every = pipeline.monitor().every().toMillis();
                monitor.scheduleWithFixedDelay(checks, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
                line(out, Map.of("event", "monitoring", "log_dir", checks.logDir().toString(), "every_seconds", every / 1000),
                        "monitoring " + pipeline.name() + "'s prediction log " + checks.logDir() + " every " + every / 1000 + " s");
            }
            // A first run catches up with what changed while nothing watched (cheap when nothing did: every stage skips).
            watcher[0].submit(Trigger.of(Trigger.Kind.MANUAL, "kiln pipeline watch started", Instant.now()));
            try {
                watcher[0].run();
            } finally {
                if (monitor != null) {
                    monitor.shutdownNow();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it stops the watcher
                }
            }
        }
        return 0;
    }

    private static String describe(TriggerSpec t) {
        StringBuilder sb = new StringBuilder();
        if (t.data() != null) {
            sb.append("data ").append(t.data());
        }
        if (t.cron() != null) {
            sb.append(sb.length() > 0 ? ", " : "").append("cron '").append(t.cron()).append("' ").append(t.zone());
        }
        if (!t.alertRules().isEmpty()) {
            sb.append(sb.length() > 0 ? ", " : "").append("alerts ").append(String.join(", ", t.alertRules()));
        }
        return sb.append(", every ").append(t.poll().toSeconds()).append(" s").toString();
    }

    private void event(PrintWriter out, WatchEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        String text;
        if (e instanceof WatchEvent.Fired f) {
                m.put("event", "trigger");
                put(m, f.trigger());
                text = f.at() + " trigger " + kind(f.trigger()) + ": " + f.trigger().reason();
        } else if (e instanceof WatchEvent.Waiting w) {
                m.put("event", "waiting");
                m.put("holder", w.holder().describe());
                m.put("queued", w.queued());
                text = w.at() + " waiting: the pipeline is being run by " + w.holder().describe() + " (" + w.queued() + " queued)";
        } else if (e instanceof WatchEvent.Started st) {
                m.put("event", "run_started");
                put(m, st.trigger());
                text = st.at() + " run started by " + kind(st.trigger()) + ": " + st.trigger().reason();
        } else if (e instanceof WatchEvent.Finished f) {
                LaunchOutcome o = f.outcome();
                m.put("event", "run_finished");
                m.put("run_id", o.runId());
                m.put("succeeded", o.succeeded());
                m.put("summary", o.summary());
                m.put("seconds", f.took().toMillis() / 1000.0);
                text = f.at() + " run " + (o.runId() == null ? "" : o.runId().substring(0, 8) + " ") + o.summary() + " ("
                        + Table.num(f.took().toMillis() / 1000.0, 1) + " s)";
        } else if (e instanceof WatchEvent.Problem p) {
                m.put("event", "problem");
                m.put("message", p.message());
                text = p.at() + " problem: " + p.message();
        } else {
            WatchEvent.Stopped st = (WatchEvent.Stopped) e;
                m.put("event", "stopped");
                m.put("queued", st.queued());
                text = st.at() + " stopped" + (st.queued() > 0 ? " (" + st.queued() + " queued triggers not run)" : "");
        }
        m.put("at", e.at().toString());
        line(out, m, text);
    }

    private static String kind(Trigger t) {
        return t.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void put(Map<String, Object> m, Trigger t) {
        m.put("kind", kind(t));
        m.put("reason", t.reason());
        m.put("causes", t.causes().size());
    }

    private synchronized void line(PrintWriter out, Map<String, Object> json, String text) {
        if (this.json) {
            Map<String, Object> m = new LinkedHashMap<>(json);
            m.putIfAbsent("at", Instant.now().toString());
            out.println(Reports.compact(m));
        } else {
            out.println(text);
        }
        out.flush();
    }
}
