package dev.kiln.serve;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import dev.kiln.serve.admin.RepositoryRoutes;
import dev.kiln.serve.http.Access;
import dev.kiln.serve.http.Route;
import dev.kiln.serve.oip.Health;
import dev.kiln.serve.oip.OipMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Every route of {@code kiln serve} with its policy: the one table the server registers (and the route-by-role test
 * walks). Open: server metadata, health (probes) and {@code /metrics}. Model: the inference token when one is set.
 * Admin: the model repository extension, 403 when no admin token is configured.
 */
final class ServeRoutes {
    private final ServeState state;
    private final RecordsRoutes records;
    private final OipInfer oip;

    ServeRoutes(ServeState state) {
        PredictionRecorder recorder = new PredictionRecorder(state);
        this.state = state;
        this.records = new RecordsRoutes(state, recorder);
        this.oip = new OipInfer(state, recorder);
    }

    /** The records routes, which the Jetty fast path runs too. */
    RecordsRoutes records() {
        return records;
    }

    List<Route> table() {
        OipMetadata meta = new OipMetadata(state.models);
        Health health = new Health(state.models, () -> state.shuttingDown);
        FeedbackRoutes feedback = new FeedbackRoutes(state);
        List<Route> routes = new ArrayList<>(List.of(
                Route.open(GET, "/v2", x -> OipMetadata.server(state.repository != null)),
                Route.open(GET, "/v2/health/live", x -> health.live()),
                Route.open(GET, "/v2/health/ready", x -> health.ready()),
                Route.model(GET, "/v2/models/{name}", x -> meta.modelMetadata(state.serve(x, null))),
                Route.model(GET, "/v2/models/{name}/versions/{version}", x -> meta.modelMetadata(state.serve(x, x.param("version")))),
                Route.model(GET, "/v2/models/{name}/ready", x -> meta.modelReady(state.serve(x, null))),
                Route.model(GET, "/v2/models/{name}/versions/{version}/ready", x -> meta.modelReady(state.serve(x, x.param("version")))),
                Route.scoring(POST, "/v2/models/{name}/infer", x -> oip.infer(x, null)),
                Route.scoring(POST, "/v2/models/{name}/versions/{version}/infer", x -> oip.infer(x, x.param("version"))),
                Route.scoring(POST, "/v1/models/{name}:predict", records::predict),
                Route.scoring(POST, "/v1/models/{name}:explain", records::explain),
                Route.model(POST, "/v1/models/{name}:feedback", feedback::feedback),
                new Route(GET, "/metrics", Access.OPEN, Route.Kind.SCRAPE, x -> {
                    x.ctx().status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(state.meters.registry().scrape());
                    return null;
                })));
        routes.addAll(repository());
        return routes;
    }

    /** The model repository extension; with no admin token every route answers 403 before its action runs. */
    private List<Route> repository() {
        RepositoryRoutes admin = state.repository == null ? null
                : new RepositoryRoutes(state.repository, state.rollouts, state.meters, state.log != null);
        Route.Action index = x -> admin.index(x);
        Route.Action canary = x -> admin.canary(x);
        Route.Action shadow = x -> admin.shadow(x);
        Route.Action bandit = x -> admin.bandit(x);
        return List.of(
                Route.admin(GET, "/v2/repository/index", index),
                Route.admin(POST, "/v2/repository/index", index),
                Route.admin(POST, "/v2/repository/models/{name}/load", x -> admin.load(x)),
                Route.admin(POST, "/v2/repository/models/{name}/unload", x -> admin.unload(x)),
                Route.admin(PUT, "/v2/repository/models/{name}/canary", canary),
                Route.admin(DELETE, "/v2/repository/models/{name}/canary", canary),
                Route.admin(PUT, "/v2/repository/models/{name}/shadow", shadow),
                Route.admin(DELETE, "/v2/repository/models/{name}/shadow", shadow),
                Route.admin(PUT, "/v2/repository/models/{name}/bandit", bandit),
                Route.admin(DELETE, "/v2/repository/models/{name}/bandit", bandit));
    }
}
