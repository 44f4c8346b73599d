package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a candidate goes live on a running {@code kiln serve} that follows the alias (see {@link Rollout}).
 *
 * @param kind                 {@link Kind#DIRECT} (move the alias, wait until the server answers with the version) or
 *                             {@link Kind#SHADOW_CANARY} (shadow, then canary steps, then the alias)
 * @param serveUrl             the server, e.g. {@code http://127.0.0.1:8080}
 * @param adminToken           the server's admin token (the value)
 * @param adminTokenSource     where the token came from (a file, an environment variable), named when it is refused
 * @param shadowRequests       live requests the shadow must score before its evidence is read
 * @param minAgreement         the share of them on which it must agree with production (0 to 1; 0: not checked)
 * @param minLabelled          labelled requests to wait for (within {@code shadowWait}) before comparing the labelled
 *                             metric; 0 compares whatever labels arrived by the time the shadow scored its requests
 * @param canarySteps          the canary's shares in percent, increasing, the last at most 100 (e.g. 10, 50, 100)
 * @param canaryInterval       time between the canary's steps (the server compares it with production over each)
 * @param shadowWait           how long the shadow may take to score its requests (and labels to arrive)
 * @param canaryWait           how long the canary may take to reach its last step
 * @param answerWait           how long the server may take to answer with the new version once the alias moved
 * @param unavailableWait      how long the server may stay unreachable (retried with backoff) before the rollout fails
 * @param pollInterval         how often the server is asked where things stand
 * @param logDir               the server's prediction log directory, for the labelled comparison; null: agreement only
 * @param skip                 phases skipped by a person (needs {@code force} and {@code reason}; recorded)
 * @param force                promote despite failed gates or a refusing shadow (needs {@code reason}; recorded)
 * @param reason               why, recorded with every forced step
 * @param actor                who, recorded with every event
 */
public record RolloutPlan(Kind kind, URI serveUrl, String adminToken, String adminTokenSource, long shadowRequests,
                          double minAgreement, long minLabelled, List<Double> canarySteps, Duration canaryInterval,
                          Duration shadowWait, Duration canaryWait, Duration answerWait, Duration unavailableWait,
                          Duration pollInterval, Path logDir, Set<Phase> skip, boolean force, String reason, String actor) {

    public enum Kind {
        DIRECT, SHADOW_CANARY;

        /** {@code direct} or {@code shadow-canary}, as the CLI and kiln.yaml spell it. */
        public static Kind parse(String s, String field) {
            return switch (s == null ? "" : s.trim()) {
                case "direct" -> DIRECT;
                case "shadow-canary", "shadow_canary" -> SHADOW_CANARY;
                default -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, field + " is direct or shadow-canary, not '" + s + "'",
                        Map.of("field", field));
            };
        }
    }

    /** The phases of a {@link Kind#SHADOW_CANARY} rollout a person may skip. */
    public enum Phase {
        SHADOW, CANARY;

        public static Phase parse(String s, String field) {
            return switch (s == null ? "" : s.trim()) {
                case "shadow" -> SHADOW;
                case "canary" -> CANARY;
                default -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, field + " is shadow or canary, not '" + s + "'",
                        Map.of("field", field));
            };
        }
    }

    public static final long DEFAULT_SHADOW_REQUESTS = 200;
    public static final double DEFAULT_MIN_AGREEMENT = 0.0;
    public static final List<Double> DEFAULT_CANARY_STEPS = List.of(10.0, 50.0, 100.0);
    public static final Duration DEFAULT_CANARY_INTERVAL = Duration.ofSeconds(60);

    public RolloutPlan {
        if (kind == null) {
            throw invalid("kind", "the rollout kind is direct or shadow-canary");
        }
        if (serveUrl == null || !("http".equals(serveUrl.getScheme()) || "https".equals(serveUrl.getScheme()))
                || serveUrl.getHost() == null) {
            throw invalid("serve", "the server is an http(s) URL such as http://127.0.0.1:8080, not " + serveUrl);
        }
        if (adminToken == null || adminToken.isBlank()) {
            throw invalid("admin_token", "a rollout changes the server through its admin routes: give its admin token");
        }
        if (shadowRequests < 1) {
            throw invalid("shadow_requests", "the shadow must score at least 1 request, not " + shadowRequests);
        }
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw invalid("min_agreement", "the minimum agreement is 0 to 1, not " + minAgreement);
        }
        if (minLabelled < 0) {
            throw invalid("min_labelled", "the labelled requests to wait for are 0 or more, not " + minLabelled);
        }
        canarySteps = List.copyOf(canarySteps);
        double previous = 0;
        for (double s : canarySteps) {
            if (!(s > previous && s <= 100)) {
                throw invalid("canary_steps", "canary steps are percents that increase, each above 0 and at most 100, not " + canarySteps);
            }
            previous = s;
        }
        if (canarySteps.isEmpty()) {
            throw invalid("canary_steps", "a canary needs at least one step, e.g. 10,50,100");
        }
        positive(canaryInterval, "canary_interval_seconds");
        positive(shadowWait, "shadow_wait");
        positive(canaryWait, "canary_wait");
        positive(answerWait, "answer_wait");
        positive(unavailableWait, "unavailable_wait");
        positive(pollInterval, "poll_interval");
        skip = Set.copyOf(skip);
        if ((force || !skip.isEmpty()) && (reason == null || reason.isBlank())) {
            throw invalid("reason", "--force (and skipping a phase) needs --reason \"...\": an overridden step is recorded with its reason");
        }
        if (!skip.isEmpty() && !force) {
            throw invalid("force", "skipping the " + skip.iterator().next().name().toLowerCase(java.util.Locale.ROOT)
                    + " is an override: give --force --reason \"...\"");
        }
        if (actor == null || actor.isBlank()) {
            actor = Promotion.actor();
        }
    }

    /**
     * A plan with the defaults: 200 shadow requests, no agreement floor, no wait for labels, canary steps 10, 50, 100
     * one minute apart, waits sized from them, polled twice a second.
     */
    public static RolloutPlan defaults(Kind kind, URI serveUrl, String adminToken, String adminTokenSource) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, DEFAULT_SHADOW_REQUESTS, DEFAULT_MIN_AGREEMENT, 0,
                DEFAULT_CANARY_STEPS, DEFAULT_CANARY_INTERVAL, Duration.ofMinutes(30), canaryWaitFor(DEFAULT_CANARY_STEPS,
                DEFAULT_CANARY_INTERVAL), Duration.ofMinutes(2), Duration.ofMinutes(2), Duration.ofMillis(500), null, Set.of(), false,
                null, Promotion.actor());
    }

    /**
     * A generous bound on a canary's rollout: each step takes at least an interval and waits for 100 requests, so
     * three intervals per step plus ten minutes for slow traffic.
     */
    public static Duration canaryWaitFor(List<Double> steps, Duration interval) {
        return interval.multipliedBy(3L * (steps.size() + 1)).plus(Duration.ofMinutes(10));
    }

    public RolloutPlan withShadow(long requests, double minAgreement, long minLabelled, Duration wait) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, requests, minAgreement, minLabelled, canarySteps,
                canaryInterval, wait, canaryWait, answerWait, unavailableWait, pollInterval, logDir, skip, force, reason, actor);
    }

    public RolloutPlan withCanary(List<Double> steps, Duration interval, Duration wait) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, shadowRequests, minAgreement, minLabelled, steps,
                interval, shadowWait, wait, answerWait, unavailableWait, pollInterval, logDir, skip, force, reason, actor);
    }

    public RolloutPlan withWaits(Duration answer, Duration unavailable, Duration poll) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, shadowRequests, minAgreement, minLabelled, canarySteps,
                canaryInterval, shadowWait, canaryWait, answer, unavailable, poll, logDir, skip, force, reason, actor);
    }

    public RolloutPlan withLogDir(Path dir) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, shadowRequests, minAgreement, minLabelled, canarySteps,
                canaryInterval, shadowWait, canaryWait, answerWait, unavailableWait, pollInterval, dir, skip, force, reason, actor);
    }

    public RolloutPlan withOverride(boolean force, Set<Phase> skip, String reason) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, shadowRequests, minAgreement, minLabelled, canarySteps,
                canaryInterval, shadowWait, canaryWait, answerWait, unavailableWait, pollInterval, logDir, skip, force, reason, actor);
    }

    public RolloutPlan withActor(String actor) {
        return new RolloutPlan(kind, serveUrl, adminToken, adminTokenSource, shadowRequests, minAgreement, minLabelled, canarySteps,
                canaryInterval, shadowWait, canaryWait, answerWait, unavailableWait, pollInterval, logDir, skip, force, reason, actor);
    }

    /** The plan without its token: what results and events may show. */
    @Override
    public String toString() {
        return "RolloutPlan[" + kind + " on " + serveUrl + ", token from " + adminTokenSource + "]";
    }

    private static void positive(Duration d, String field) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw invalid(field, field + " must be a positive duration, not " + d);
        }
    }

    private static KilnException invalid(String field, String message) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, Map.of("field", field));
    }
}
