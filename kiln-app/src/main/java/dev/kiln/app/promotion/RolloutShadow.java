package dev.kiln.app.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.promotion.ServeAdminClient.ShadowRows;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.monitor.performance.PerformanceReport;
import dev.kiln.monitor.performance.PerformanceSpec;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The shadow phase: the candidate scores copies of production's live requests ({@code PUT .../shadow}) until it has
 * scored {@link RolloutPlan#shadowRequests}; its agreement with production comes from the server's
 * {@code kiln_shadow_rows_total}, and, with a prediction log directory, the labelled metric of shadow and production
 * on the feedback received since the shadow started, with its p-value ({@code kiln monitor performance}'s comparison).
 * The shadow is removed before this returns; what it showed is recorded as a {@value LiveEvidence#EVENT_TYPE} event.
 */
final class RolloutShadow {
    /** The level at which a worse labelled metric blocks the candidate (two-sided, as {@link LiveEvidence} says). */
    static final double ALPHA = 0.05;

    private RolloutShadow() {
    }

    static LiveEvidence run(Rollout.Context c) throws InterruptedException {
        RolloutPlan plan = c.plan();
        ServeAdminClient server = c.server();
        String v = Integer.toString(c.version());
        ShadowRows before = server.shadowRows(c.model(), v);
        Instant started = c.journal().now();
        c.footprint().shadow = true; // before the call: a PUT whose answer is lost may still have placed it
        try {
            server.putShadow(c.model(), c.model() + ":" + v);
        } catch (KilnException e) {
            c.footprint().shadow = e.code() == ErrorCode.UNAVAILABLE; // refused: nothing placed, and not ours to remove
            throw e;
        }
        c.journal().step("shadow", "version " + v + " shadows production (version " + c.from() + ") on " + server.url()
                + " until it has scored " + plan.shadowRequests() + " requests", false, Map.of("shadow_version", v,
                "production_version", c.from(), "requests_needed", plan.shadowRequests()));
        Instant deadline = started.plus(plan.shadowWait());
        ShadowRows rows = ShadowRows.ZERO;
        long said = -1;
        while (rows.total() < plan.shadowRequests()) {
            requireShadow(c, v);
            ShadowRows now = server.shadowRows(c.model(), v);
            if (now.total() < before.total()) {
                throw lost(c, "its kiln_shadow_rows_total went back from " + before.total() + " to " + now.total());
            }
            rows = now.minus(before);
            if (rows.total() >= plan.shadowRequests()) {
                break;
            }
            if (!c.journal().now().isBefore(deadline)) {
                throw new KilnException(ErrorCode.UNAVAILABLE, "the shadow scored " + rows.total() + " of the " + plan.shadowRequests()
                        + " requests it needs in " + seconds(plan.shadowWait()) + ": too little traffic reaches " + c.model() + " on "
                        + server.url(), Map.of("url", server.url().toString(), "scored", rows.total()));
            }
            if (rows.total() / Math.max(1, plan.shadowRequests() / 4) != said) {
                said = rows.total() / Math.max(1, plan.shadowRequests() / 4);
                c.journal().say("shadow: " + rows.total() + " of " + plan.shadowRequests() + " requests scored");
            }
            c.pause();
        }
        Labelled labelled = labelled(c, started, deadline);
        Double agreement = rows.total() == 0 ? null : rows.agree() / (double) rows.total();
        PerformanceReport.Comparison cmp = labelled.comparison();
        boolean worse = cmp != null && cmp.difference() < 0 && cmp.pValue() < ALPHA;
        LiveEvidence evidence = new LiveEvidence("shadow", rows.total(), agreement, cmp == null ? null : cmp.metric(),
                cmp == null ? null : cmp.value(), cmp == null ? null : cmp.againstValue(), cmp == null ? null : cmp.n(),
                cmp == null ? null : cmp.pValue(), worse);
        String summary = summary(evidence, rows, labelled.note());
        c.journal().evidence(evidence, summary);
        Map<String, Object> figures = new LinkedHashMap<>(evidence.toDetails());
        figures.put("errors", rows.error());
        c.journal().step("evidence", summary, false, figures);
        c.removeShadow();
        return evidence;
    }

    /** The labelled comparison, or why there is none. */
    private record Labelled(PerformanceReport.Comparison comparison, String note) {
    }

    /**
     * Shadow against production on the labelled requests since {@code since}: at once without {@code minLabelled},
     * else polled until that many labelled shadow rows are in the log or {@code deadline} passes.
     */
    private static Labelled labelled(Rollout.Context c, Instant since, Instant deadline) throws InterruptedException {
        RolloutPlan plan = c.plan();
        if (plan.logDir() == null) {
            return new Labelled(null, "no prediction log given: agreement only");
        }
        PerformanceSpec spec = PerformanceSpec.of(Promotion.manifest(c.store().registry(), c.store().registry().version(c.model(),
                c.version())), Duration.ofDays(1), null);
        Labelled last = compare(c.store(), plan, c.model(), c.version(), since, spec);
        while (last.comparison() == null || last.comparison().n() < plan.minLabelled()) {
            if (plan.minLabelled() == 0 || !c.journal().now().isBefore(deadline)) {
                break;
            }
            requireShadow(c, Integer.toString(c.version()));
            c.pause();
            last = compare(c.store(), plan, c.model(), c.version(), since, spec);
        }
        return last;
    }

    private static Labelled compare(KilnStore store, RolloutPlan plan, String model, int version, Instant since, PerformanceSpec spec) {
        PredictionLogReader log = new PredictionLogReader(plan.logDir(), model);
        if (!log.exists()) {
            return new Labelled(null, "no prediction log for " + model + " under " + plan.logDir());
        }
        // A second of slack: the server stamps rows with its own clock.
        PerformanceReport report = PerformanceAnalyzer.analyze(log, new LogWindow(since.minusSeconds(1), null), spec);
        Optional<PerformanceReport.Comparison> cmp = report.comparisons().stream()
                .filter(x -> x.shadow() && x.version().equals(Integer.toString(version))).findFirst();
        long shadowLabelled = report.shadows().stream().filter(w -> w.version().equals(Integer.toString(version)))
                .mapToLong(PerformanceReport.Window::labelled).sum();
        return cmp.map(x -> new Labelled(x, null)).orElse(new Labelled(null, "no labelled comparison yet (" + report.feedbackRecords()
                + " feedback records since the shadow started, " + shadowLabelled + " of the shadow's rows labelled)"));
    }

    private static void requireShadow(Rollout.Context c, String version) {
        JsonNode entry = c.server().entry(c.model()).orElseThrow(() -> lost(c, "it no longer serves " + c.model()));
        JsonNode shadow = entry.get("shadow");
        if (shadow == null || !version.equals(shadow.path("version").asText())) {
            throw lost(c, "it has " + (shadow == null ? "no shadow" : "version " + shadow.path("version").asText() + " as shadow"));
        }
    }

    /** The server lost the shadow (restarted, or someone changed it): the rollout cannot measure it. */
    private static KilnException lost(Rollout.Context c, String what) {
        c.footprint().shadow = false; // nothing left to remove
        return new KilnException(ErrorCode.CONFLICT, "kiln serve at " + c.server().url() + " lost the shadow of " + c.model()
                + " (restarted, or changed by someone else): " + what, Map.of("url", c.server().url().toString()));
    }

    private static String summary(LiveEvidence e, ShadowRows rows, String note) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d requests, agreement %s, %d errors", e.requests(),
                e.agreement() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", e.agreement()), rows.error()));
        if (e.metric() != null) {
            sb.append(String.format(Locale.ROOT, "; %s %.3f against production's %.3f on %d labelled requests (p=%.4f)%s",
                    e.metric(), e.candidate(), e.production(), e.labelled(), e.pValue(), e.significantlyWorse() ? ": significantly worse" : ""));
        } else if (note != null) {
            sb.append("; ").append(note);
        }
        return sb.toString();
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + "s";
    }
}
