package dev.kiln.app.server;

import io.javalin.http.HandlerType;

/**
 * One route of the API: method, path (Javalin syntax, {@code {param}}), the access policy and the action.
 * The server registers routes only from {@link Api#routes()}, so no route exists without a policy.
 */
public record Route(Method method, String path, Access access, Action action) {
    public enum Method {
        GET, POST, PUT, DELETE;

        HandlerType handlerType() {
            return switch (this) {
                case GET -> HandlerType.GET;
                case POST -> HandlerType.POST;
                case PUT -> HandlerType.PUT;
                case DELETE -> HandlerType.DELETE;
            };
        }

        /** Requests with a JSON body. */
        boolean hasBody() {
            return this == POST || this == PUT;
        }
    }

    public Route {
        if (method == null || path == null || access == null || action == null) {
            throw new IllegalArgumentException("a route needs a method, a path, an access policy and an action");
        }
    }

    /** The work of a route: returns the response body (a {@link Reply} for a status other than 200). */
    @FunctionalInterface
    public interface Action {
        Object handle(Call call) throws Exception;
    }

    /** A response body with its status. */
    public record Reply(int status, Object body) {
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
