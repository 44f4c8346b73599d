package dev.kiln.app.pipeline;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.store.KilnStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The pipeline file's {@code monitor} section at work under {@code kiln pipeline watch}: every {@code every} the alert
 * rules are checked against the served model's prediction log ({@code rollout.log_dir}, else {@code kiln serve}'s
 * default under the Kiln home), exactly as {@code kiln monitor check} does — alerts open and resolve in the store, so a
 * rule named in {@code triggers.on_alerts} starts a pipeline run when it opens. A check that fails is reported and
 * tried again at the next tick.
 */
public final class PipelineMonitor implements Runnable {
    private final KilnStore store;
    private final PipelineSpec spec;
    private final Path logDir;
    private final Consumer<String> say;

    public PipelineMonitor(KilnStore store, PipelineSpec spec, Consumer<String> say) {
        this.store = store;
        this.spec = spec;
        this.logDir = spec.rollout() != null && spec.rollout().logDir() != null ? spec.rollout().logDir()
                : Home.predictionLogs(store.home());
        this.say = say;
    }

    public AlertRules rules() {
        return spec.monitor();
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void run() {
        try {
            PredictionLogReader log = new PredictionLogReader(logDir, spec.name());
            if (!log.exists() || store.registry().model(spec.name()).isEmpty()) {
                return; // nothing served or registered yet
            }
            Monitoring.CheckResult r = Monitoring.check(store, log, Monitoring.resolver(store, spec.name(), null), spec.name(),
                    spec.monitor(), Instant.now(), null);
            for (Monitoring.Outcome o : r.outcomes()) {
                if (o.alertId() != null && o.action() != null && !o.action().isBlank()) {
                    say.accept("monitor: rule " + o.rule() + " " + o.status() + " (alert #" + o.alertId() + " " + o.action()
                            + "): " + o.message());
                }
            }
        } catch (RuntimeException e) {
            say.accept("monitor: the check failed, tried again at the next tick: " + e.getMessage());
        }
    }
}
