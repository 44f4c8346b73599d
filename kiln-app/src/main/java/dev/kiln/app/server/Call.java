package dev.kiln.app.server;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** One authorised request as a route's action sees it: the caller, validated path parameters, query, body. */
public final class Call {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    private final Context ctx;
    private final Principal principal;
    private final Map<String, String> params;
    private Body body;

    Call(Context ctx, Principal principal, Map<String, String> params) {
        this.ctx = ctx;
        this.principal = principal;
        this.params = params;
    }

    public Principal principal() {
        return principal;
    }

    /** A path parameter, URL-decoded and validated by {@link Params}. */
    String param(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no path parameter {" + name + "}");
        }
        return v;
    }

    int version() {
        return Integer.parseInt(param("version"));
    }

    String query(String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isEmpty() ? null : v;
    }

    int limit() {
        String v = query("limit");
        if (v == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter limit='" + v + "' must be an integer from 1 to " + MAX_LIMIT,
                Map.of("parameter", "limit", "value", v));
    }

    /** A request header, or null. */
    String header(String name) {
        return ctx.header(name);
    }

    /** A cookie the request carries, or null. */
    String cookie(String name) {
        return ctx.cookie(name);
    }

    /** Adds a raw {@code Set-Cookie} header (so every attribute, SameSite included, is written as given). */
    void setCookie(String headerValue) {
        ctx.res().addHeader("Set-Cookie", headerValue);
    }

    /** Whether the browser reached us over TLS: directly, or through a proxy that says so. */
    boolean secure() {
        return ctx.req().isSecure() || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    /** The declared Content-Length, or -1 when the body is chunked. */
    long contentLength() {
        return ctx.req().getContentLengthLong();
    }

    /**
     * The raw request body, for upload routes: it bypasses Javalin's 1 MiB limit, so the reader counts
     * ({@link Uploads#receive}).
     */
    InputStream bodyStream() throws IOException {
        return ctx.req().getInputStream();
    }

    /** The body as JSON (through Javalin, so at most {@link ApiServer#MAX_BODY_BYTES}). */
    Body body() {
        if (body == null) {
            body = Body.parse(ctx.body());
        }
        return body;
    }
}
