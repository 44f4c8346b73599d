package dev.kiln.serve;

import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.serve.traffic.CanaryRollout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Takes a {@link ServingSnapshot} of a server's state: the model host, its repository's references, the meters. */
final class ServingSnapshots {
    /** Draws per snapshot estimating a bandit's shares (about ±1 point). */
    static final int BANDIT_DRAWS = 4000;

    private ServingSnapshots() {
    }

    static ServingSnapshot take(ServeState state, ModelRepository repo) {
        Instant at = Instant.now();
        ModelHost host = state.models;
        Map<String, Map<String, CanaryRollout.Stats>> counts = state.meters.counts();
        List<ServingSnapshot.Model> models = new ArrayList<>();
        for (String name : new TreeSet<>(host.names())) {
            Served served = host.get(name).orElse(null);
            ServingSnapshot.Canary canary = host.canary(name).map(c -> new ServingSnapshot.Canary(c.served().version(), c.percent(),
                    repo == null ? null : repo.canaryRef(name).orElse(null),
                    state.rollouts.status(name).filter(r -> r.canaryVersion().equals(c.served().version())).orElse(null))).orElse(null);
            ServingSnapshot.Shadow shadow = host.shadow(name).map(s -> new ServingSnapshot.Shadow(s.version(),
                    repo == null ? null : repo.shadowRef(name).orElse(null))).orElse(null);
            List<ServingSnapshot.Arm> arms = new ArrayList<>();
            Bandit bandit = host.bandit(name).orElse(null);
            if (bandit != null) {
                double[] shares = bandit.pickShares(BANDIT_DRAWS);
                List<Bandit.Posterior> posteriors = bandit.posteriors();
                for (int i = 0; i < bandit.arms().size(); i++) {
                    arms.add(new ServingSnapshot.Arm(bandit.arms().get(i).served().version(), shares[i], posteriors.get(i).mean(),
                            posteriors.get(i).rewards()));
                }
            }
            models.add(new ServingSnapshot.Model(name, served == null ? "" : served.version(),
                    repo == null ? null : repo.ref(name).orElse(null), canary, shadow, List.copyOf(arms),
                    java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(counts.getOrDefault(name, Map.of()))), state.meters.latency(name), host.lastError(name).orElse(null)));
        }
        return new ServingSnapshot(at, state.shuttingDown, List.copyOf(models));
    }
}
