package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.Deployment;
import dev.kiln.store.DeploymentStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The running {@code kiln serve} processes, as they registered themselves in the store: {@code GET /api/deployments}
 * lists them with their state ({@code live}, or {@code lost} when silent for more than
 * {@link DeploymentStore#LOST_AFTER_HEARTBEATS} heartbeats), the age of their last heartbeat and the status it
 * carried; {@code GET /api/deployments/{deployment}} is one of them. Reads, for viewers.
 */
final class DeploymentRoutes {
    private final DeploymentStore deployments;

    DeploymentRoutes(DeploymentStore deployments) {
        this.deployments = deployments;
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/deployments", role(VIEWER), c -> list()),
                new Route(GET, "/api/deployments/{deployment}", role(VIEWER), this::one));
    }

    private Map<String, Object> list() {
        List<Deployment> all = deployments.list();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deployments", all.stream().map(DeploymentRoutes::view).toList());
        m.put("live", all.stream().filter(Deployment::live).count());
        m.put("lost", all.stream().filter(d -> !d.live()).count());
        m.put("lost_after_heartbeats", DeploymentStore.LOST_AFTER_HEARTBEATS);
        m.put("at", Instant.now().toString());
        return m;
    }

    private Map<String, Object> one(Call c) {
        String id = c.param("deployment");
        return view(deployments.get(id).orElseThrow(() -> new KilnException(ErrorCode.DEPLOYMENT_NOT_FOUND,
                "no deployment " + id + " (it stopped, or has been silent for more than " + DeploymentStore.PRUNE_AFTER.toHours()
                        + " h)", Map.of("deployment", id))));
    }

    static Map<String, Object> view(Deployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("url", d.url());
        m.put("host", d.host());
        m.put("pid", d.pid());
        m.put("state", d.state());
        m.put("started_at", d.startedAt().toString());
        m.put("heartbeat_at", d.heartbeatAt().toString());
        m.put("age_seconds", d.age().toMillis() / 1000.0);
        m.put("heartbeat_seconds", d.heartbeatInterval().toMillis() / 1000.0);
        m.put("kiln_version", d.kilnVersion());
        m.put("log_dir", d.logDir());
        m.put("status", d.status());
        return m;
    }
}
