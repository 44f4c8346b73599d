package dev.kiln.serve.http;

import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.metrics.ServeMeters;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one place where an error becomes a response, for Javalin's routes and for what Jetty answers itself (through
 * {@link JsonErrorHandler}) alike: the code's HTTP status, the {@code Kiln-Error-Code} header, and the body from
 * {@link ErrorBody#oip} on {@code /v2/...} or {@link ErrorBody#kiln} elsewhere. Every error answered is counted
 * ({@link ServeMeters#error}); an unexpected one is logged once, with its stack trace, and answered as
 * {@code internal} without its message.
 */
public final class ErrorWriter {
    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    static final String INTERNAL_MESSAGE = "internal error (logged by the server)";
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private final ServeMeters meters;

    public ErrorWriter(ServeMeters meters) {
        this.meters = meters;
    }

    /**
     * What a throwable from a route is answered as: a {@link KilnException} as it is; Javalin's own errors (no route,
     * a body over the limit) by their status; anything else {@code internal}, logged here (once).
     */
    public KilnException classify(Throwable t, String method, String path) {
        if (t instanceof KilnException k) {
            if (k.code().category() == ErrorCode.Category.INTERNAL) {
                LOG.log(System.Logger.Level.ERROR, "internal error on " + method + " " + path + ": " + k.getMessage(), k);
            }
            return k;
        }
        if (t instanceof HttpResponseException h) {
            return switch (h.getStatus()) {
                case 404 -> KilnException.answer(ErrorCode.ROUTE_NOT_FOUND, "no route " + method + " " + path);
                case 405 -> KilnException.answer(ErrorCode.METHOD_NOT_ALLOWED, "method " + method + " is not allowed on " + path);
                case 413 -> Bodies.tooLarge();
                default -> KilnException.answer(ErrorCode.forHttpStatus(h.getStatus()), h.getMessage());
            };
        }
        if (clientWentAway(t)) {
            // The client closed the connection (a timeout of its own, a cancelled call): its doing, not a fault of
            // the server's; one line, no stack trace, counted as a client error. Nobody reads the answer.
            LOG.log(System.Logger.Level.INFO, "client closed the connection during " + method + " " + path + ": " + t);
            return KilnException.answer(ErrorCode.INVALID_ARGUMENT, "the client closed the connection before the answer");
        }
        LOG.log(System.Logger.Level.ERROR, "internal error on " + method + " " + path + ": " + t, t);
        return KilnException.answer(ErrorCode.INTERNAL, INTERNAL_MESSAGE);
    }

    /** Whether {@code t} is, or was caused by, Jetty's end-of-stream on a connection the client closed. */
    static boolean clientWentAway(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof EofException) {
                return true;
            }
        }
        return false;
    }

    /** The error's body in the shape of the path's protocol. */
    public static byte[] body(KilnException e, String path) {
        Map<String, Object> body = path != null && ErrorBody.isOipPath(path) ? ErrorBody.oip(e) : ErrorBody.kiln(e);
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException notForMapsOfPlainValues) {
            throw new IllegalStateException(notForMapsOfPlainValues);
        }
    }

    /** Answers {@code e} on a Javalin route (headers set before, such as the request id, are kept). */
    public void answer(Context ctx, KilnException e) {
        meters.error(e.code());
        if (e.httpStatus() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"kiln\"");
        }
        ctx.header(ErrorBody.CODE_HEADER, e.code().wireName());
        ctx.status(e.httpStatus()).contentType("application/json").result(body(e, ctx.path()));
    }

    /** Answers {@code e} from a Jetty handler (Jetty's own errors, the fast path's refusals). */
    public void answer(Request request, Response response, Callback callback, KilnException e) {
        meters.error(e.code());
        byte[] body = body(e, request.getHttpURI() == null ? null : request.getHttpURI().getPath());
        response.setStatus(e.httpStatus());
        response.getHeaders().put(JSON);
        response.getHeaders().put(ErrorBody.CODE_HEADER, e.code().wireName());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
