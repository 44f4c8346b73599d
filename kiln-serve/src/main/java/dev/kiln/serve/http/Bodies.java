package dev.kiln.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import java.util.Map;

/** Reading a request body on a Javalin route: its bytes within the limits, or its JSON object. */
public final class Bodies {
    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    /** Request bodies over this size are refused with 413. */
    public static final long MAX_BYTES = 1L << 20;
    /** Oversized bodies up to this size are read and dropped before the 413, so the client can read it. */
    private static final long DRAIN_LIMIT_BYTES = 8L << 20;

    private Bodies() {
    }

    /** The body as a JSON object: 413 past the limit (the body drained first, up to 8 MiB), 400 when not a JSON object. */
    public static JsonNode json(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) {
            // Read and drop a moderately oversized body first: a client still writing when the server
            // closes the connection sees a broken pipe instead of the 413. Larger bodies are cut off.
            if (declared <= DRAIN_LIMIT_BYTES) {
                try (InputStream in = ctx.req().getInputStream()) {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException ignored) {
                    // the connection is closed below anyway
                }
            }
            ctx.header("Connection", "close");
            throw tooLarge();
        }
        return parse(bytes(ctx));
    }

    /** The request body's bytes: 413 past {@link #MAX_BYTES}, 408 when it stalls past the idle timeout. */
    public static byte[] bytes(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) {
            ctx.header("Connection", "close");
            throw tooLarge();
        }
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } catch (HttpResponseException javalins) { // over the size limit: answered as such
            throw javalins;
        } catch (Exception e) {  // Jetty's IOException arrives unchecked through Kotlin
            throw unreadable(ctx, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge();
        }
        return bytes;
    }

    /**
     * What a body that could not be read is answered as: 408 {@code request_timeout} when it stalled, 400
     * {@code invalid_argument} when it ended before its Content-Length or its chunked framing is broken (the client's
     * mistake: one line in the log, no stack trace); anything else is the server's and goes on as it is.
     */
    private static RuntimeException unreadable(Context ctx, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof SocketTimeoutException) {
                ctx.header("Connection", "close");
                LOG.log(System.Logger.Level.INFO, "request body timed out on " + ctx.method() + " " + ctx.path());
                return KilnException.answer(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive in time");
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
                ctx.header("Connection", "close");
                String why = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().lines().findFirst().orElse("");
                LOG.log(System.Logger.Level.INFO, "unreadable request body on " + ctx.method() + " " + ctx.path() + ": " + why);
                return KilnException.answer(ErrorCode.INVALID_ARGUMENT, "the request body could not be read: it ended before its "
                        + "Content-Length, or its chunked encoding is malformed (" + why + ")", Map.of());
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    /** A JSON object from bytes: 400 {@code data_malformed} for anything else (the parser's first line named). */
    public static JsonNode parse(byte[] bytes) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw badRequest(ErrorCode.DATA_MALFORMED, "the request body is not valid JSON: " + m, Map.of());
        }
        if (node == null || !node.isObject()) {
            throw badRequest(ErrorCode.DATA_MALFORMED, "the request body must be a JSON object", Map.of());
        }
        return node;
    }

    public static KilnException tooLarge() {
        return KilnException.answer(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over " + MAX_BYTES + " bytes",
                Map.of("limit_bytes", MAX_BYTES));
    }

    /** A refusal of the caller's input (the code's status, 400 for every input code). */
    public static KilnException badRequest(ErrorCode code, String message, Map<String, ?> details) {
        return KilnException.answer(code, message, details);
    }
}
