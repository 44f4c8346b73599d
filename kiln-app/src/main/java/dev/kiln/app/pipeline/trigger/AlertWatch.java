package dev.kiln.app.pipeline.trigger;

import dev.kiln.store.Alert;
import dev.kiln.store.AlertStore;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Watches a served model's monitoring alerts: each alert of one of the named rules that opens after the watch
 * started (or after the last one seen) is a trigger naming the alert and its rule. Alerts already open when the
 * watch starts are not. Not thread-safe.
 */
public final class AlertWatch {
    /** Open alerts looked at per poll: far more than a model has. */
    private static final int LIMIT = 500;

    private final AlertStore alerts;
    private final String model;
    private final Set<String> rules;
    private long lastSeenId;

    private AlertWatch(AlertStore alerts, String model, Set<String> rules, long lastSeenId) {
        this.alerts = alerts;
        this.model = model;
        this.rules = rules;
        this.lastSeenId = lastSeenId;
    }

    /** Starts watching {@code model}'s alerts of {@code rules}; alerts that exist now are never triggers. */
    public static AlertWatch start(AlertStore alerts, String model, Collection<String> rules) {
        long newest = alerts.list(model, false, 1).stream().mapToLong(Alert::id).max().orElse(0);
        return new AlertWatch(alerts, model, Set.copyOf(rules), newest);
    }

    /** Triggers for the alerts of the watched rules opened since the last poll, oldest first. */
    public List<Trigger> poll() {
        List<Alert> fresh = alerts.list(model, true, LIMIT).stream().filter(a -> a.id() > lastSeenId)
                .sorted(Comparator.comparingLong(Alert::id)).toList();
        fresh.forEach(a -> lastSeenId = Math.max(lastSeenId, a.id()));
        return fresh.stream().filter(a -> rules.contains(a.rule()))
                .map(a -> Trigger.of(Trigger.Kind.ALERT, "alert #" + a.id() + " of rule '" + a.rule() + "' opened on "
                        + a.model() + (a.version() == null ? "" : " v" + a.version()) + ": " + a.message(), a.firstSeenAt()))
                .toList();
    }
}
