package dev.kiln.serve.traffic;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.ModelHost.Served;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A multi-armed bandit over a name's versions (Thompson sampling): each scoring request goes to the arm whose draw
 * from its Beta(α, β) posterior is highest, so traffic moves to the version that earns more reward as rewards come
 * in, while a worse arm still gets the occasional request while it is uncertain.
 *
 * <p>Rewards are the feedback route's {@code "reward"}, from 0 to 1 (a success rate, a conversion; the Bernoulli
 * trick: reward r adds r to α and 1 − r to β); each is credited to the arm that answered its request: the one the
 * feedback names ({@code "model_version"}, as the answer gave it), else the one remembered for its request id. The
 * memory is a direct-mapped table of {@link #SLOTS} packed longs (a hash of the id and the arm; no lock, no allocation
 * per request): a request is forgotten when a later one lands in its slot, so one answered 100,000 requests ago is
 * still remembered with probability 0.91, one a million requests ago with 0.38. Rewards for requests not remembered are counted as unattributed. The posterior starts at Beta(1, 1). The state lives in memory; {@link #restore} adds the rewards a
 * restarted server reads back from its prediction log.
 */
public final class Bandit {
    /** Slots of the table remembering which arm answered a request (8 MiB). */
    static final int SLOTS = 1 << 20;
    /** Arms a bandit may have (an arm's index is kept in a slot's low byte). */
    static final int MAX_ARMS = 255;

    /** One arm: a version of the model. */
    public record Arm(Served served) {
        public Arm {
            Objects.requireNonNull(served, "served");
        }
    }

    /** An arm's posterior and counts, as a snapshot. */
    public record Posterior(double alpha, double beta, long rewards) {
        /** The posterior mean of the arm's reward. */
        public double mean() {
            return alpha / (alpha + beta);
        }
    }

    private final List<Arm> arms;
    /** Replaced whole on each reward (copy on write): requests read it without a lock. */
    private volatile Posterior[] posteriors;
    /** Per slot: the request id's hash with its low byte replaced by the arm's index + 1; 0 when empty. */
    private final java.util.concurrent.atomic.AtomicLongArray pending = new java.util.concurrent.atomic.AtomicLongArray(SLOTS);
    private final LongAdder unattributed = new LongAdder();
    private final Supplier<RandomGenerator> random;

    /** A bandit over {@code arms} (2 to {@link #MAX_ARMS}, versions distinct), each starting at Beta(1, 1). */
    public Bandit(List<Arm> arms) {
        this(arms, ThreadLocalRandom::current);
    }

    /** {@code random}: where each draw's randomness comes from (tests give a seeded one). */
    Bandit(List<Arm> arms, Supplier<RandomGenerator> random) {
        if (arms.size() < 2 || arms.size() > MAX_ARMS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a bandit has 2 to " + MAX_ARMS + " arms, not " + arms.size(),
                    Map.of("field", "refs", "arms", arms.size()));
        }
        this.arms = List.copyOf(arms);
        this.random = random;
        Posterior[] p = new Posterior[arms.size()];
        java.util.Arrays.fill(p, new Posterior(1, 1, 0));
        this.posteriors = p;
    }

    public List<Arm> arms() {
        return arms;
    }

    /** The posteriors, in the order of {@link #arms()}. */
    public List<Posterior> posteriors() {
        return List.of(posteriors);
    }

    /** Rewards that named a request this bandit does not remember (too old, or not one it routed). */
    public long unattributed() {
        return unattributed.sum();
    }

    /**
     * Adds rewards already earned (read back from the prediction log after a restart) to the arm serving
     * {@code version}: {@code sum} of the rewards, {@code count} of them. False when no arm serves that version.
     */
    public synchronized boolean restore(String version, double sum, long count) {
        if (count < 0 || !(sum >= 0 && sum <= count)) {
            throw new KilnException(ErrorCode.VALUE_INVALID, "restored rewards of version " + version + " must sum to 0.." + count + ", not " + sum,
                    Map.of("version", String.valueOf(version), "sum", sum, "count", count));
        }
        Arm arm = arm(version);
        if (arm == null) {
            return false;
        }
        int i = arms.indexOf(arm);
        Posterior[] next = posteriors.clone();
        Posterior old = next[i];
        next[i] = new Posterior(old.alpha() + sum, old.beta() + count - sum, old.rewards() + count);
        posteriors = next;
        return true;
    }

    /** The arm a request goes to: the highest draw from the arms' posteriors. */
    public Arm pick() {
        Posterior[] p = posteriors;
        RandomGenerator r = random.get();
        int best = 0;
        double bestDraw = -1;
        for (int i = 0; i < p.length; i++) {
            double d = beta(r, p[i].alpha(), p[i].beta());
            if (d > bestDraw) {
                bestDraw = d;
                best = i;
            }
        }
        return arms.get(best);
    }

    /**
     * The share of requests each arm would get now, in the order of {@link #arms()}: how often its draw wins in
     * {@code draws} draws (Monte Carlo, seeded, so the same posteriors give the same shares). Read-only; for status reports.
     */
    public double[] pickShares(int draws) {
        Posterior[] p = posteriors;
        RandomGenerator r = new java.util.SplittableRandom(20_240_601L);
        long[] wins = new long[p.length];
        for (int d = 0; d < draws; d++) {
            int best = 0;
            double bestDraw = -1;
            for (int i = 0; i < p.length; i++) {
                double x = beta(r, p[i].alpha(), p[i].beta());
                if (x > bestDraw) {
                    bestDraw = x;
                    best = i;
                }
            }
            wins[best]++;
        }
        double[] shares = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            shares[i] = draws == 0 ? 0 : wins[i] / (double) draws;
        }
        return shares;
    }

    /** Remembers which arm answered {@code requestId} (a snapshot that is none of the arms is ignored). */
    public void answered(String requestId, Served served) {
        for (int i = 0; i < arms.size(); i++) {
            if (arms.get(i).served() == served) {
                long h = hash(requestId);
                pending.setOpaque(slot(h), (h & ~0xFFL) | (i + 1));
                return;
            }
        }
    }

    /** 64 well-mixed bits of a request id. */
    static long hash(String id) {
        return RouteBuckets.mix64(id);
    }

    private static int slot(long h) {
        return (int) (h >>> 40) & (SLOTS - 1); // bits apart from the low byte the tag gives up
    }

    /** As {@link #reward(String, String, double)} without a version named. */
    String reward(String requestId, double reward) {
        return reward(requestId, null, reward);
    }

    /**
     * Credits {@code reward} (0 to 1) to the arm that answered {@code requestId}: the arm serving {@code version} when
     * that names one, else the one remembered for the request. The version credited, or null when neither says
     * (counted as unattributed). A remembered request is credited once.
     */
    public String reward(String requestId, String version, double reward) {
        if (!(reward >= 0 && reward <= 1)) {
            throw KilnException.answer(ErrorCode.VALUE_INVALID, "a bandit's reward is 0 to 1, not " + reward, Map.of("field", "reward"));
        }
        long h = hash(requestId);
        int slot = slot(h);
        long v = pending.getOpaque(slot);
        int remembered = v != 0 && (v & ~0xFFL) == (h & ~0xFFL) && pending.compareAndSet(slot, v, 0) ? (int) (v & 0xFF) - 1 : -1;
        Arm named = version == null ? null : arm(version);
        int arm = named != null ? arms.indexOf(named) : remembered;
        if (arm < 0) {
            unattributed.increment();
            return null;
        }
        synchronized (this) {
            Posterior[] next = posteriors.clone();
            Posterior old = next[arm];
            next[arm] = new Posterior(old.alpha() + reward, old.beta() + 1 - reward, old.rewards() + 1);
            posteriors = next;
        }
        return arms.get(arm).served().version();
    }

    /** The arm serving {@code version}, or null when none does. */
    public Arm arm(String version) {
        for (Arm a : arms) {
            if (a.served().version().equals(version)) {
                return a;
            }
        }
        return null;
    }

    /** A Beta(a, b) draw: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
    static double beta(RandomGenerator r, double a, double b) {
        double x = gamma(r, a);
        double y = gamma(r, b);
        return x + y > 0 ? x / (x + y) : 0.5;
    }

    /**
     * A Gamma(shape, 1) draw (Marsaglia and Tsang, 2000); a shape under 1 is boosted: Gamma(k + 1) · U^(1/k).
     */
    static double gamma(RandomGenerator r, double shape) {
        if (shape < 1) {
            double u = r.nextDouble();
            return gamma(r, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = r.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = r.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** The arms' versions with their posteriors: what the repository index and metadata show. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        Posterior[] p = posteriors;
        for (int i = 0; i < arms.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", arms.get(i).served().version());
            m.put("alpha", p[i].alpha());
            m.put("beta", p[i].beta());
            m.put("mean_reward", p[i].mean());
            m.put("rewards", p[i].rewards());
            out.add(m);
        }
        return out;
    }
}
