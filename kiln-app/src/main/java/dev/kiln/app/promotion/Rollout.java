package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.RegisteredModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A candidate that passes the gates goes live on a running {@code kiln serve} that follows the alias
 * ({@code --model NAME=NAME} follows {@code NAME@production}; the server's admin token opens its repository routes):
 * <ul>
 * <li>{@link RolloutPlan.Kind#DIRECT}: the alias moves through {@link Promotion#moveAlias} (the gates) and the rollout
 * waits until the server answers with the new version (the lead time's end);</li>
 * <li>{@link RolloutPlan.Kind#SHADOW_CANARY}: the candidate shadows production ({@link RolloutShadow}); evidence that it
 * is significantly worse on labelled requests, or agrees less than the plan's minimum, refuses it; otherwise it goes
 * out as a canary in steps ({@link RolloutCanary}), which the server may roll back; once at its last step the alias
 * moves, the server answers with it, and the canary is removed.</li>
 * </ul>
 * Every step is a {@code rollout_step} event in the model's history; an end other than promotion is an event
 * ({@code rollout_refused}, {@code rollout_rolled_back}, {@code rollout_failed}) and an open alert. Production is
 * never touched before the last step, and a shadow or canary placed is removed on every path out that can reach the
 * server. A person may force a step ({@link RolloutPlan#force}, {@link RolloutPlan#skip}, with a reason): the step's
 * event says forced and why.
 */
public final class Rollout {
    private Rollout() {
    }

    /** What the server holds of this rollout, so that a failure can undo it. */
    static final class Footprint {
        boolean shadow;
        boolean canary;
        boolean aliasMoved;
    }

    /** One rollout's parts, handed to its phases. */
    record Context(KilnStore store, String model, String alias, int version, Integer from, RolloutPlan plan,
                   ServeAdminClient server, RolloutJournal journal, Footprint footprint) {
        void pause() throws InterruptedException {
            Thread.sleep(plan.pollInterval().toMillis());
        }

        void removeShadow() {
            if (footprint.shadow) {
                server.deleteShadow(model);
                footprint.shadow = false;
            }
        }

        void removeCanary() {
            if (footprint.canary) {
                server.deleteCanary(model);
                footprint.canary = false;
            }
        }
    }

    /**
     * Rolls version {@code version} of {@code model} out to {@code alias} as {@code plan} says, {@code gates} being the
     * promotion's policy. {@code progress} receives one line per step and wait (may be null). Bad input (no such model
     * or version, a shadow-canary rollout of an alias with no holder yet) is thrown; everything after is the result.
     */
    public static RolloutResult run(KilnStore store, String model, String alias, int version, Promotion.Policy gates, RolloutPlan plan,
                                    Clock clock, Consumer<String> progress) {
        ModelRegistry registry = store.registry();
        RegisteredModel m = Promotion.requireModel(registry, model);
        registry.version(model, version);
        Integer from = m.aliases().get(alias);
        if (plan.kind() == RolloutPlan.Kind.SHADOW_CANARY && from == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, model + "@" + alias + " has no version yet, so there is nothing for a "
                    + "shadow or canary to be compared with: use --rollout direct for a first promotion", Map.of("alias", alias));
        }
        if (from != null && from == version) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, model + "@" + alias + " is version " + version + " already",
                    Map.of("alias", alias, "version", version));
        }
        Instant started = clock.instant();
        RolloutJournal journal = new RolloutJournal(store, model, alias, version, plan, clock, progress);
        ServeAdminClient server = new ServeAdminClient(plan.serveUrl(), plan.adminToken(), plan.adminTokenSource(), plan.unavailableWait(), clock);
        Context c = new Context(store, model, alias, version, from, plan, server, journal, new Footprint());
        LiveEvidence evidence = null;
        try {
            List<Gates.Check> checks = RolloutGates.checks(registry, m, alias, from, version, gates);
            List<String> failed = checks.stream().filter(ch -> !ch.passed()).map(Gates.Check::name).toList();
            if (!failed.isEmpty() && !plan.force()) {
                String why = "version " + version + " fails the gates of " + alias + " (" + String.join(", ", failed) + ")";
                journal.end(RolloutJournal.REFUSED, why, Map.of("failed_checks", failed));
                return result(c, RolloutResult.Outcome.REFUSED, why, null, null, started, null);
            }
            journal.step("gates", checks.isEmpty() ? alias + " is not gated" : failed.isEmpty() ? "passed " + checks.size() + " checks"
                    : "failed " + failed + ", forced", !failed.isEmpty(), Map.of("checks", checks.size(), "failed_checks", failed));
            String serving = checkServer(c);
            journal.step("server", server.url() + " answers " + model + " with version " + serving, false,
                    Map.of("served_version", String.valueOf(serving)));
            if (plan.kind() == RolloutPlan.Kind.SHADOW_CANARY) {
                if (plan.skip().contains(RolloutPlan.Phase.SHADOW)) {
                    journal.step("shadow", "skipped by " + plan.actor(), true, Map.of("skipped", true));
                } else {
                    evidence = RolloutShadow.run(c);
                    String refusal = refusal(evidence, plan);
                    if (refusal != null && !plan.force()) {
                        journal.end(RolloutJournal.REFUSED, refusal, evidence.toDetails());
                        return result(c, RolloutResult.Outcome.REFUSED, refusal, null, evidence, started, null);
                    }
                    if (refusal != null) {
                        journal.step("evidence_overridden", "promoting despite: " + refusal, true, evidence.toDetails());
                    }
                }
                if (plan.skip().contains(RolloutPlan.Phase.CANARY)) {
                    journal.step("canary", "skipped by " + plan.actor(), true, Map.of("skipped", true));
                } else {
                    RolloutCanary.Result canary = RolloutCanary.run(c);
                    if (canary.end() == RolloutCanary.End.ROLLED_BACK) {
                        journal.end(RolloutJournal.ROLLED_BACK, canary.reason(), canary.figures());
                        return result(c, RolloutResult.Outcome.ROLLED_BACK, canary.reason(), null, evidence, started, null);
                    }
                }
            }
            Promotion.Outcome moved = Promotion.moveAlias(registry, model, alias, version, gates, plan.force(), plan.reason(), plan.actor());
            if (!moved.moved()) {
                String why = "the gates refused to move " + alias + " to version " + version + " (" + moved.checks().stream()
                        .filter(ch -> !ch.passed()).map(Gates.Check::name).collect(Collectors.joining(", ")) + ")";
                boolean hadCanary = c.footprint().canary;
                c.removeCanary();
                journal.end(RolloutJournal.REFUSED, why, Map.of("undone", undone(c, hadCanary)));
                return result(c, RolloutResult.Outcome.REFUSED, why, null, evidence, started, null);
            }
            c.footprint().aliasMoved = true;
            journal.step("promote", model + "@" + alias + ": " + from + " -> " + version, moved.forced(),
                    Map.of("from", String.valueOf(from), "to", version));
            Instant answered = awaitAnswer(c);
            c.footprint().aliasMoved = false; // done: nothing to undo
            journal.step("answering", server.url() + " answers " + model + " with version " + version + " "
                    + Duration.between(started, answered).toMillis() + " ms after the rollout began", false,
                    Map.of("lead_time_ms", Duration.between(started, answered).toMillis()));
            c.removeCanary();
            return result(c, RolloutResult.Outcome.PROMOTED, model + "@" + alias + " is version " + version + " and " + server.url()
                    + " answers with it", null, evidence, started, answered);
        } catch (KilnException e) {
            if (e.code().exitCode() == ErrorCode.INVALID_ARGUMENT.exitCode()) {
                // The server refused to place the candidate beside production (e.g. its classes differ, so its answers
                // could not stand for production's): a refusal of this candidate, not a failure of the rollout.
                List<String> undone = undone(c, false);
                String why = "kiln serve refused version " + version + " beside production: " + e.getMessage();
                journal.end(RolloutJournal.REFUSED, why, Map.of("error", e.code().wireName(), "undone", undone));
                return result(c, RolloutResult.Outcome.REFUSED, why, null, evidence, started, null);
            }
            return fail(c, e, evidence, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(c, new KilnException(ErrorCode.UNAVAILABLE, "the rollout was interrupted"), evidence, started);
        }
    }

    /**
     * The version the server answers {@code model} with, once it is known to serve it with no shadow, canary or bandit
     * of someone else's that this rollout would replace and then remove.
     */
    private static String checkServer(Context c) {
        com.fasterxml.jackson.databind.JsonNode entry = c.server().entry(c.model()).orElseThrow(() -> new KilnException(
                ErrorCode.MODEL_NOT_FOUND, c.server().url() + " does not serve a model named '" + c.model() + "' (its served name "
                + "must be the registered model's: kiln serve --model " + c.model() + "=" + c.model() + ")",
                Map.of("url", c.server().url().toString(), "model", c.model())));
        if (c.plan().kind() == RolloutPlan.Kind.SHADOW_CANARY) {
            for (String busy : List.of("shadow", "canary", "bandit")) {
                if (entry.has(busy)) {
                    throw new KilnException(ErrorCode.CONFLICT, c.server().url() + " already has a " + busy + " on " + c.model()
                            + " (" + entry.get(busy) + "): remove it first (DELETE /v2/repository/models/" + c.model() + "/" + busy
                            + "); a rollout would replace it", Map.of("url", c.server().url().toString(), busy, entry.get(busy).toString()));
                }
            }
        }
        return c.server().servedVersion(c.model()).orElse(null);
    }

    /** Why the shadow's evidence refuses the candidate, or null. */
    static String refusal(LiveEvidence e, RolloutPlan plan) {
        if (e.significantlyWorse()) {
            return String.format(Locale.ROOT, "the shadow is significantly worse than production on %d labelled requests: %s %.3f "
                    + "against %.3f (p=%.4f)", e.labelled(), e.metric(), e.candidate(), e.production(), e.pValue());
        }
        if (e.agreement() != null && e.agreement() < plan.minAgreement()) {
            return String.format(Locale.ROOT, "the shadow agrees with production on %.3f of %d requests, below the minimum %.3f",
                    e.agreement(), e.requests(), plan.minAgreement());
        }
        return null;
    }

    /** Polls until the server answers with the candidate; the moment it first does. */
    private static Instant awaitAnswer(Context c) throws InterruptedException {
        String v = Integer.toString(c.version());
        Instant deadline = c.journal().now().plus(c.plan().answerWait());
        String last = null;
        while (true) {
            last = c.server().servedVersion(c.model()).orElse(null);
            if (v.equals(last)) {
                return c.journal().now();
            }
            if (!c.journal().now().isBefore(deadline)) {
                throw new KilnException(ErrorCode.UNAVAILABLE, c.server().url() + " still answers " + c.model() + " with version " + last
                        + " " + c.plan().answerWait().toSeconds() + "s after " + c.alias() + " moved to " + v + ": does it follow "
                        + c.model() + "@" + c.alias() + " (kiln serve --model " + c.model() + "=" + c.model() + "@" + c.alias() + ")?",
                        Map.of("url", c.server().url().toString()));
            }
            c.pause();
        }
    }

    /** Undoes what the server and the registry hold of this rollout, records the failure and its alert. */
    private static RolloutResult fail(Context c, KilnException e, LiveEvidence evidence, Instant started) {
        List<String> undone = undone(c, false);
        String message = e.getMessage() + (undone.isEmpty() ? "" : "; undone: " + String.join(", ", undone));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error", e.code().wireName());
        details.put("url", c.server().url().toString());
        details.put("done", c.journal().steps().stream().map(RolloutResult.Step::name).toList());
        details.put("undone", undone);
        try {
            c.journal().end(RolloutJournal.FAILED, message, details);
        } catch (KilnException recording) {
            e.addSuppressed(recording);
        }
        return result(c, RolloutResult.Outcome.FAILED, message, e.code(), evidence, started, null);
    }

    /**
     * Removes the shadow and canary this rollout placed and moves the alias back if it moved, each tried once with a
     * short wait (the server may be the reason for the failure); what was undone, and what could not be.
     */
    private static List<String> undone(Context c, boolean canaryAlreadyRemoved) {
        List<String> out = new ArrayList<>();
        ServeAdminClient quick = new ServeAdminClient(c.plan().serveUrl(), c.plan().adminToken(), c.plan().adminTokenSource(),
                min(c.plan().unavailableWait(), Duration.ofSeconds(5)), Clock.systemUTC());
        Context q = new Context(c.store(), c.model(), c.alias(), c.version(), c.from(), c.plan(), quick, c.journal(), c.footprint());
        if (canaryAlreadyRemoved) {
            out.add("canary removed");
        }
        if (c.footprint().shadow) {
            out.add(attempt(q::removeShadow, "shadow removed", "the shadow could not be removed"));
        }
        if (c.footprint().canary) {
            out.add(attempt(q::removeCanary, "canary removed", "the canary could not be removed"));
        }
        if (c.footprint().aliasMoved && c.from() != null) {
            c.store().registry().setAlias(c.model(), c.alias(), c.from(), c.plan().actor(), "rollout of version " + c.version()
                    + " failed: the server never answered with it", Map.of("rollback", true, "rollout", true));
            c.footprint().aliasMoved = false;
            out.add(c.alias() + " moved back to version " + c.from());
        }
        return out;
    }

    private static String attempt(Runnable undo, String done, String notDone) {
        try {
            undo.run();
            return done;
        } catch (KilnException e) {
            return notDone + " (" + e.getMessage() + "; a server restart drops it)";
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static RolloutResult result(Context c, RolloutResult.Outcome outcome, String reason, ErrorCode error, LiveEvidence evidence,
                                        Instant started, Instant answered) {
        return new RolloutResult(c.model(), c.alias(), c.version(), c.from(), outcome, reason, error, c.journal().steps(), evidence,
                started, answered);
    }
}
