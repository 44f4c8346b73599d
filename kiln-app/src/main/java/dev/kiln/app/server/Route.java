package dev.kiln.app.server;

import io.javalin.http.HandlerType;
import java.nio.file.Path;
import java.util.Map;

/**
 * One route of the API: method, path (Javalin syntax, {@code {param}}), the access policy, the media type its
 * request body must have, and the action. The server registers routes only from {@link Api#routes()}, so no
 * route exists without a policy.
 *
 * <p>Most routes take JSON ({@link #JSON}, at most {@link ApiServer#MAX_BODY_BYTES}); upload routes take another
 * type and read the raw body themselves, up to {@link Uploads#MAX_UPLOAD_BYTES}.
 */
public record Route(Method method, String path, Access access, String bodyType, Action action) {
    public static final String JSON = "application/json";

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

        /** Requests with a body. */
        boolean hasBody() {
            return this == POST || this == PUT;
        }
    }

    public Route {
        if (method == null || path == null || access == null || bodyType == null || action == null) {
            throw new IllegalArgumentException("a route needs a method, a path, an access policy, a body type and an action");
        }
    }

    /** A route whose body, if any, is JSON. */
    public Route(Method method, String path, Access access, Action action) {
        this(method, path, access, JSON, action);
    }

    /**
     * A route that takes its body as {@code bodyType} (not JSON, and never a type a browser may send cross-site
     * without a CORS preflight), read as a stream by the action.
     */
    public static Route upload(Method method, String path, Access access, String bodyType, Action action) {
        if (!method.hasBody() || bodyType.equals(JSON)) {
            throw new IllegalArgumentException("an upload route is a POST or PUT with a non-JSON body");
        }
        return new Route(method, path, access, bodyType, action);
    }

    /** Whether the body is read raw (up to the upload limit) rather than as JSON (up to 1 MiB). */
    public boolean upload() {
        return !bodyType.equals(JSON);
    }

    /** The work of a route: returns the response body (a {@link Reply} for a status other than 200, a {@link FileReply} for a file). */
    @FunctionalInterface
    public interface Action {
        Object handle(Call call) throws Exception;
    }

    /** A response body with its status. */
    public record Reply(int status, Object body) {
    }

    /** A file streamed back as it is (200), with extra response headers. */
    public record FileReply(Path file, String contentType, Map<String, String> headers) {
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
