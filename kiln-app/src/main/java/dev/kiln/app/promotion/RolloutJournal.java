package dev.kiln.app.promotion;

import dev.kiln.store.KilnStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one rollout writes down as it goes: each step in the result, as a {@code rollout_step} event in the model's
 * history and as a progress line; its end ({@code rollout_refused}, {@code rollout_rolled_back},
 * {@code rollout_failed}) as an event and an open alert of rule {@value #ALERT_RULE}.
 */
final class RolloutJournal {
    static final String STEP = "rollout_step";
    static final String REFUSED = "rollout_refused";
    static final String ROLLED_BACK = "rollout_rolled_back";
    static final String FAILED = "rollout_failed";
    static final String ALERT_RULE = "rollout";

    private final KilnStore store;
    private final String model;
    private final String alias;
    private final int version;
    private final RolloutPlan plan;
    private final Clock clock;
    private final Consumer<String> progress;
    private final List<RolloutResult.Step> steps = new ArrayList<>();

    RolloutJournal(KilnStore store, String model, String alias, int version, RolloutPlan plan, Clock clock, Consumer<String> progress) {
        this.store = store;
        this.model = model;
        this.alias = alias;
        this.version = version;
        this.plan = plan;
        this.clock = clock;
        this.progress = progress == null ? line -> { } : progress;
    }

    Instant now() {
        return clock.instant();
    }

    List<RolloutResult.Step> steps() {
        return steps;
    }

    /** A progress line only (waiting, polling): not a step. */
    void say(String line) {
        progress.accept(line);
    }

    /** A step: in the result, in the history as {@code rollout_step} (forced ones with the plan's reason), and said. */
    void step(String name, String summary, boolean forced, Map<String, Object> figures) {
        Instant at = now();
        steps.add(new RolloutResult.Step(name, at, forced, summary, figures));
        Map<String, Object> details = new LinkedHashMap<>(figures);
        details.put("step", name);
        details.put("summary", summary);
        details.put("rollout", plan.kind().name().toLowerCase(java.util.Locale.ROOT));
        details.put("serve", plan.serveUrl().toString());
        if (forced) {
            details.put("forced", true);
        }
        store.registry().recordEvent(model, STEP, version, alias, plan.actor(), forced ? plan.reason() : summary, details);
        progress.accept((forced ? "[forced] " : "") + name + ": " + summary);
    }

    /** The evidence as a {@value LiveEvidence#EVENT_TYPE} event of the candidate. */
    void evidence(LiveEvidence e, String summary) {
        store.registry().recordEvent(model, LiveEvidence.EVENT_TYPE, version, alias, plan.actor(), summary, e.toDetails());
    }

    /** The rollout's end when it did not promote: the event, an open alert with the same evidence, the line said. */
    void end(String type, String message, Map<String, Object> evidence) {
        Map<String, Object> details = new LinkedHashMap<>(evidence);
        details.put("serve", plan.serveUrl().toString());
        details.put("steps", steps.stream().map(RolloutResult.Step::name).toList());
        store.registry().recordEvent(model, type, version, alias, plan.actor(), message, details);
        store.alerts().fire(model, version, ALERT_RULE, type, "warning", message, details, now());
        progress.accept(type + ": " + message);
    }
}
