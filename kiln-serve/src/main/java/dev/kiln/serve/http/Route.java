package dev.kiln.serve.http;

import io.javalin.http.HandlerType;
import java.util.Objects;

/**
 * One route of {@code kiln serve}: method, path (Javalin syntax, {@code {param}}), who may call it, whether it
 * scores (its requests are metered per model and version) and its action. The server registers routes only from its
 * table ({@code ServeRoutes}), so no route exists without a policy.
 */
public record Route(HandlerType method, String path, Access access, Kind kind, Action action) {
    /** How a route's requests are counted. */
    public enum Kind {
        /** Answered and counted in flight; no per-model meters. */
        PLAIN,
        /** Scoring: its outcome and latency go to the model's meters ({@code kiln_requests_total}, ...). */
        SCORING,
        /** Not counted in flight and not refused while draining ({@code /metrics}). */
        SCRAPE
    }

    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(action, "action");
    }

    public static Route open(HandlerType method, String path, Action action) {
        return new Route(method, path, Access.OPEN, Kind.PLAIN, action);
    }

    public static Route model(HandlerType method, String path, Action action) {
        return new Route(method, path, Access.MODEL, Kind.PLAIN, action);
    }

    public static Route scoring(HandlerType method, String path, Action action) {
        return new Route(method, path, Access.MODEL, Kind.SCORING, action);
    }

    public static Route admin(HandlerType method, String path, Action action) {
        return new Route(method, path, Access.ADMIN, Kind.PLAIN, action);
    }

    /** Whether requests on this route carry a body (and so must say it is JSON). */
    public boolean takesBody() {
        return method == HandlerType.POST || method == HandlerType.PUT;
    }

    /** The work of a route: the response body (a {@link Reply} for a status other than 200; {@code byte[]} as is). */
    @FunctionalInterface
    public interface Action {
        Object handle(Exchange x) throws Exception;
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
