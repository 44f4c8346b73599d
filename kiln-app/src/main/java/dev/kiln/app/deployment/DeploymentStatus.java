package dev.kiln.app.deployment;

import dev.kiln.serve.ModelRepository;
import dev.kiln.serve.ServingSnapshot;
import dev.kiln.serve.metrics.LatencyHistogram;
import dev.kiln.serve.traffic.CanaryRollout;
import dev.kiln.store.ModelRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status JSON a deployment writes with each heartbeat: per served name what it serves (version, the reference
 * and alias it follows, canary, shadow, bandit shares) and its traffic over the interval since the previous
 * snapshot (request rate, error rates, p50/p99 and mean latency). Rates and latencies are null when there is no
 * previous snapshot or no request in the interval; the JSON never holds NaN.
 */
public final class DeploymentStatus {
    /** Registry versions in numeric order (2 before 10), then other labels (bundles' hashes) alphabetically. */
    static final java.util.Comparator<String> BY_VERSION = (a, b) -> {
        boolean na = a.matches("[0-9]{1,9}");
        boolean nb = b.matches("[0-9]{1,9}");
        if (na && nb) {
            return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
    };

    private DeploymentStatus() {
    }

    /**
     * The status of {@code now}, with rates over the time since {@code previous} (null: the first report).
     *
     * @param refs the reference each name was served from on the command line, used when the server's repository
     *             does not know it
     */
    public static Map<String, Object> of(ServingSnapshot previous, ServingSnapshot now, Map<String, String> refs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", now.shuttingDown() ? "draining" : "serving");
        double seconds = previous == null ? 0 : Duration.between(previous.at(), now.at()).toNanos() / 1e9;
        out.put("interval_seconds", seconds > 0 ? round(seconds, 3) : null);
        List<Map<String, Object>> models = new ArrayList<>();
        for (ServingSnapshot.Model m : now.models()) {
            ServingSnapshot.Model before = previous == null || seconds <= 0 ? null : find(previous, m.name());
            models.add(model(m, before, previous == null || seconds <= 0 ? 0 : seconds, refs.get(m.name())));
        }
        out.put("models", models);
        return out;
    }

    private static ServingSnapshot.Model find(ServingSnapshot s, String name) {
        for (ServingSnapshot.Model m : s.models()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    private static Map<String, Object> model(ServingSnapshot.Model m, ServingSnapshot.Model before, double seconds, String cliRef) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("version", m.version());
        String ref = m.ref() != null ? m.ref() : cliRef;
        out.put("ref", ref);
        out.put("alias", alias(ref));
        out.put("canary", canary(m.canary()));
        out.put("shadow", m.shadow() == null ? null : mapOf("version", m.shadow().version(), "ref", m.shadow().ref()));

        // Per version over the interval; a version whose counts went down was served afresh: its counts are all new.
        List<Map<String, Object>> versions = new ArrayList<>();
        long requests = 0;
        long errors = 0;
        long serverErrors = 0;
        long nanos = 0;
        long total = 0;
        Map<String, Long> byVersion = new LinkedHashMap<>();
        Map<String, CanaryRollout.Stats> ordered = new java.util.TreeMap<>(BY_VERSION);
        ordered.putAll(m.versions());
        for (Map.Entry<String, CanaryRollout.Stats> e : ordered.entrySet()) {
            CanaryRollout.Stats s = e.getValue();
            CanaryRollout.Stats b = before == null ? null : before.versions().get(e.getKey());
            CanaryRollout.Stats d = b == null || b.requests() > s.requests() ? s : new CanaryRollout.Stats(
                    s.successes() - b.successes(), s.clientErrors() - b.clientErrors(), s.serverErrors() - b.serverErrors(),
                    s.nanos() - b.nanos());
            total += s.requests();
            if (before != null) {
                requests += d.requests();
                errors += d.clientErrors() + d.serverErrors();
                serverErrors += d.serverErrors();
                nanos += d.nanos();
                byVersion.put(e.getKey(), d.requests());
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", e.getKey());
            v.put("requests_total", s.requests());
            v.put("request_rate", before == null ? null : round(d.requests() / seconds, 3));
            v.put("error_rate", before == null || d.requests() == 0 ? null
                    : round((d.clientErrors() + d.serverErrors()) / (double) d.requests(), 5));
            versions.add(v);
        }
        out.put("bandit", bandit(m, byVersion));
        out.put("requests_total", total);
        out.put("request_rate", before == null ? null : round(requests / seconds, 3));
        out.put("error_rate", before == null || requests == 0 ? null : round(errors / (double) requests, 5));
        out.put("server_error_rate", before == null || requests == 0 ? null : round(serverErrors / (double) requests, 5));
        LatencyHistogram latency = before == null ? null : m.latency().minus(before.latency());
        out.put("p50_ms", millis(latency, 0.5));
        out.put("p99_ms", millis(latency, 0.99));
        out.put("mean_ms", before == null || requests == 0 ? null : round(nanos / 1e6 / requests, 4));
        out.put("versions", versions);
        out.put("last_error", m.lastError());
        return out;
    }

    /** The alias a registry reference follows; null for a pinned version or a bundle directory. */
    static String alias(String ref) {
        if (ref == null || ModelRepository.isPath(ref)) {
            return null;
        }
        try {
            return ModelRef.parse(ref).alias();
        } catch (RuntimeException e) {
            return null; // a bundle directory without a separator in its name
        }
    }

    private static Map<String, Object> canary(ServingSnapshot.Canary c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> out = mapOf("version", c.version(), "percent", c.percent(), "ref", c.ref());
        CanaryRollout.Status r = c.rollout();
        out.put("rollout", r == null ? null : mapOf("state", r.state(), "steps", r.steps(), "step", r.step(), "reason", r.reason()));
        return out;
    }

    /** The arms with the share the bandit would give each now, and the share each answered over the interval. */
    private static List<Map<String, Object>> bandit(ServingSnapshot.Model m, Map<String, Long> byVersion) {
        if (m.bandit().isEmpty()) {
            return null;
        }
        long armRequests = 0;
        for (ServingSnapshot.Arm a : m.bandit()) {
            armRequests += byVersion.getOrDefault(a.version(), 0L);
        }
        List<Map<String, Object>> arms = new ArrayList<>();
        for (ServingSnapshot.Arm a : m.bandit()) {
            Map<String, Object> arm = mapOf("version", a.version(), "share", round(a.pickShare(), 4));
            arm.put("traffic_share", armRequests == 0 ? null : round(byVersion.getOrDefault(a.version(), 0L) / (double) armRequests, 4));
            arm.put("mean_reward", round(a.meanReward(), 4));
            arm.put("rewards", a.rewards());
            arms.add(arm);
        }
        return arms;
    }

    private static Double millis(LatencyHistogram h, double q) {
        if (h == null) {
            return null;
        }
        double s = h.quantileSeconds(q);
        return Double.isNaN(s) ? null : round(s * 1000, 4);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
