package dev.kiln.app.server;

import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.http.HostCheck;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import io.javalin.Javalin;
import jakarta.servlet.DispatcherType;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP server of {@link Api}: Javalin (Jetty 12) with every route of {@link Api#routes()} behind its
 * access policy, and the one place where errors become JSON ({@code {"error": {"code", "message", "details"}}}).
 *
 * <p>Authentication: {@code Authorization: Bearer TOKEN}, checked against {@link ApiTokens}. Without any
 * configured token the server listens on loopback only, every request has admin rights (as {@link Principal#LOCAL}),
 * and requests must be addressed to a loopback host name (a guard against DNS rebinding). Requests with a body
 * must say {@code Content-Type: application/json} (upload routes: {@code application/zip} or
 * {@code application/octet-stream}), none of which a browser can send cross-site without a CORS preflight
 * (that this server never grants).
 *
 * <p>Body size: JSON bodies are read through Javalin, whose {@code maxRequestSize} ({@link #MAX_BODY_BYTES})
 * applies to exactly that read; upload routes read the raw stream themselves, up to
 * {@link Uploads#MAX_UPLOAD_BYTES} ({@link Uploads#receive}). Both answer 413 {@code payload_too_large}.
 *
 * <p>Slow bodies: the token, the role and the content type are checked before any of the body is read, and a
 * request refused there (401, 403, 415) is answered at once and its connection closed, without reading the rest
 * of its body. Every body must keep up a minimum rate ({@link BodyRate}); one that falls behind is answered 408
 * {@code request_timeout} and its connection closed, so slow senders cannot hold the server's threads.
 */
public final class ApiServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 5000;
    public static final String LOOPBACK = "127.0.0.1";
    public static final long MAX_BODY_BYTES = 1L << 20;
    /** Set once a request has passed its token, role and content-type checks: only then is any of its body read. */
    private static final String AUTHORIZED = "kiln.authorized";
    private static final System.Logger LOG = System.getLogger("dev.kiln.app.server");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static final Set<String> LOOPBACK_HOST_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private final Javalin app;
    private final String host;
    private final ApiTokens tokens;
    private final List<Route> routes;

    private ApiServer(Javalin app, String host, ApiTokens tokens, List<Route> routes) {
        this.app = app;
        this.host = host;
        this.tokens = tokens;
        this.routes = routes;
    }

    /**
     * Starts the API on {@code host:port} ({@code port} 0 picks a free port; {@code host} null means loopback).
     * Without tokens, a host other than loopback is refused (invalid_argument).
     */
    public static ApiServer start(KilnStore store, ApiTokens tokens, String host, int port) {
        return start(store, tokens, host, port, BodyRate.DEFAULT);
    }

    /** As above, with the minimum rate at which request bodies must arrive. */
    static ApiServer start(KilnStore store, ApiTokens tokens, String host, int port, BodyRate bodyRate) {
        return start(store, tokens, host, port, bodyRate, MonitoringSources.none());
    }

    /** With the prediction logs the monitoring routes read ({@code kiln server --log-dir}). */
    public static ApiServer start(KilnStore store, ApiTokens tokens, String host, int port, MonitoringSources logs) {
        return start(store, tokens, host, port, BodyRate.DEFAULT, logs);
    }

    static ApiServer start(KilnStore store, ApiTokens tokens, String host, int port, BodyRate bodyRate, MonitoringSources logs) {
        String bind = bindHost(host, tokens);
        if (port < 0 || port > 65535) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "port " + port + " is not 0 to 65535", Map.of("port", port));
        }
        UiSessions sessions = new UiSessions(tokens, System::currentTimeMillis);
        // Besides the configured directories: the log directory of every kiln serve registered in this store (read per
        // request, so a server started later is seen; one on another machine whose directory is not here is skipped).
        MonitoringSources withServed = logs.withExtra(() -> servedLogDirs(store));
        List<Route> routes = new ArrayList<>(new Api(store, withServed).routes());
        routes.addAll(new SessionRoutes(sessions, tokens).routes());
        checkTable(routes);
        UiAssets ui = new UiAssets();
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = bind;
            config.jetty.port = port;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.http.defaultContentType = "application/json";
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
            config.jetty.modifyServletContextHandler(handler -> handler.addFilter(bodyRate.filter(System::nanoTime), "/*",
                    EnumSet.of(DispatcherType.REQUEST)));
            config.routes.before(ApiServer::securityHeaders);
            for (Route r : routes) {
                config.routes.addHttpHandler(r.method().handlerType(), r.path(), guarded(r, tokens, sessions));
            }
            // The web UI's files (public, no data; after the API so /api paths never reach them).
            config.routes.get("/ui/<asset>", ui::asset);
            config.routes.get("/", ui::page);
            config.routes.get("/<page>", ui::page);
            config.routes.exception(KilnException.class, (e, ctx) -> {
                if (e.code().category() == ErrorCode.Category.INTERNAL) {
                    // Store failures carry JDBC URLs and driver messages: for the log, not for remote callers.
                    LOG.log(System.Logger.Level.ERROR, "internal error on " + ctx.method() + " " + ctx.path() + ": " + e.getMessage(), e);
                    error(ctx, 500, e.code(), "internal error (logged by the server)", Map.of());
                } else {
                    if (e.code() == ErrorCode.UNAUTHENTICATED) {
                        ctx.header("WWW-Authenticate", "Bearer realm=\"kiln\"");
                    }
                    error(ctx, e.httpStatus(), e.code(), e.getMessage(), e.details());
                }
            });
            config.routes.exception(HttpResponseException.class, ApiServer::httpError);
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "internal error on " + ctx.method() + " " + ctx.path(), e);
                error(ctx, 500, ErrorCode.INTERNAL, "internal error (logged by the server)", Map.of());
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            if (causedBy(e, BindException.class)) {
                throw new KilnException(ErrorCode.CONFLICT, "cannot listen on " + bind + ":" + port + ": " + rootMessage(e)
                        + " (is another server on that port? choose one with --port)", Map.of("host", bind, "port", port), e);
            }
            throw e;
        }
        return new ApiServer(app, bind, tokens, routes);
    }

    /** The prediction log directories the registered kiln serves named (a name that is no path here is skipped). */
    private static List<java.nio.file.Path> servedLogDirs(KilnStore store) {
        List<java.nio.file.Path> dirs = new ArrayList<>();
        for (dev.kiln.store.Deployment d : store.deployments().list()) {
            if (d.logDir() != null) {
                try {
                    dirs.add(java.nio.file.Path.of(d.logDir()));
                } catch (java.nio.file.InvalidPathException e) {
                    // written by a server on another kind of machine: nothing to read here
                }
            }
        }
        return dirs;
    }

    /** The address to bind: loopback by default; without tokens, anything else is refused. */
    static String bindHost(String host, ApiTokens tokens) {
        String h = host == null || host.isBlank() ? LOOPBACK : host.trim();
        if (tokens.isEmpty()) {
            if (!HostCheck.isLoopback(h)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "no API tokens configured: refusing to listen on " + h
                        + ", since every request would have admin rights. Add a token first (kiln server token add NAME --role admin),"
                        + " or leave out --host to listen on " + LOOPBACK + " only", Map.of("host", h));
            }
            return h.equalsIgnoreCase("localhost") ? LOOPBACK : h;
        }
        return h;
    }


    public int port() {
        return app.port();
    }

    public String host() {
        return host;
    }

    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** True when no token is configured: loopback only, every request admin. */
    public boolean open() {
        return tokens.isEmpty();
    }

    public List<Route> routes() {
        return routes;
    }

    @Override
    public void close() {
        app.stop();
    }

    // ---------------------------------------------------------------- per request

    /**
     * On every answer: the UI may run only its own scripts and styles from this server (no inline script, no
     * eval, nothing from elsewhere), may not be framed, and no content type is guessed.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    private static Handler guarded(Route route, ApiTokens tokens, UiSessions sessions) {
        Handler handler = checked(route, tokens, sessions);
        if (!route.method().hasBody()) {
            return handler;
        }
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (Exception e) {
                BodyRate.TooSlow slow = causeOf(e, BodyRate.TooSlow.class);
                if (slow != null) {
                    ctx.header("Connection", "close");
                    throw KilnException.answer(ErrorCode.REQUEST_TIMEOUT, slow.getMessage(),
                            Map.of("received_bytes", slow.bytes(), "elapsed_ms", slow.elapsedMillis()));
                }
                if (route.upload()) {
                    discardUpload(ctx);
                }
                throw e;
            }
        };
    }

    /**
     * An upload refused before its body was all read. A caller refused at the door (401, 403) gets its answer
     * at once and the connection is closed: reading a stranger's body first is what let slow senders hold threads.
     * An authorised caller's upload refused by the route (400, 404, 409, 415…) may still be being sent by a client that
     * did not ask {@code Expect: 100-continue}, and closing on it would lose the answer (the client sees a broken
     * pipe), so the rest of a body that declared its length is read and dropped, up to the upload limit and at the
     * {@link BodyRate}. Past that, or for a chunked body, the connection is closed after the answer.
     */
    private static void discardUpload(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (ctx.attribute(AUTHORIZED) != null && declared >= 0 && declared <= Uploads.MAX_UPLOAD_BYTES) {
            try {
                InputStream in = ctx.req().getInputStream();
                byte[] buf = new byte[64 * 1024];
                long left = Uploads.MAX_UPLOAD_BYTES;
                int n;
                while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) >= 0) {
                    left -= n;
                }
                if (in.read() < 0) {
                    return;
                }
            } catch (IOException | RuntimeException ignored) {
                // closed below
            }
        }
        ctx.header("Connection", "close");
    }

    private static Handler checked(Route route, ApiTokens tokens, UiSessions sessions) {
        return ctx -> {
            if (route.method() != Route.Method.GET) {
                refuseCrossSite(ctx);
            }
            if (tokens.isEmpty() && route.path().equals("/api/session")) {
                checkLoopbackHost(ctx); // an open server's UI session is the local admin: not for a rebound host name
            }
            Principal principal = null;
            if (!(route.access() instanceof Access.Open)) {
                principal = authenticate(ctx, tokens, sessions, route);
            }
            Map<String, String> params = Params.validate(ctx.pathParamMap());
            Role required = route.access().required(params);
            if (required != null && !principal.role().includes(required)) {
                throw KilnException.answer(ErrorCode.FORBIDDEN, route.method() + " " + route.path() + " needs the " + required.wireName()
                        + " role; token '" + principal.name() + "' is " + principal.role().wireName(),
                        Map.of("required_role", required.wireName(), "role", principal.role().wireName()));
            }
            // From here the caller may send a body: one refused below is read and dropped (discardUpload), so the
            // answer reaches a client still sending rather than a reset connection.
            ctx.attribute(AUTHORIZED, true);
            if (route.method().hasBody() && !mediaType(ctx.contentType()).equals(route.bodyType())) {
                throw KilnException.answer(ErrorCode.UNSUPPORTED_MEDIA_TYPE, route.upload()
                        ? "send the request body with Content-Type: " + route.bodyType()
                        : "send the request body as JSON with Content-Type: application/json",
                        Map.of("content_type", String.valueOf(ctx.contentType()), "expected", route.bodyType()));
            }
            Object out = route.action().handle(new Call(ctx, principal, params));
            if (out instanceof Route.Reply reply) {
                respond(ctx, reply.status(), reply.body());
            } else if (out instanceof Route.FileReply file) {
                file.headers().forEach(ctx::header);
                ctx.status(200).contentType(file.contentType()).result(Files.newInputStream(file.file(), LinkOption.NOFOLLOW_LINKS));
            } else {
                respond(ctx, 200, out);
            }
        };
    }

    /**
     * A state-changing request a browser sent from another site is refused whatever it carries: the {@code Origin}
     * it names must be this server's own host, and {@code Sec-Fetch-Site} must not say cross-site. (Clients other than
     * browsers send neither header.) This stands beside the CSRF token and the SameSite cookie, not instead of them.
     */
    private static void refuseCrossSite(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && site.equalsIgnoreCase("cross-site")) {
            throw KilnException.answer(ErrorCode.FORBIDDEN, "cross-site requests may not change anything here", Map.of("sec_fetch_site", site));
        }
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals("null")) {
            String host = ctx.host() == null ? "" : ctx.host().toLowerCase(Locale.ROOT);
            String originHost = origin.toLowerCase(Locale.ROOT).replaceFirst("^[a-z][a-z0-9+.-]*://", "");
            if (!originHost.equals(host)) {
                throw KilnException.answer(ErrorCode.FORBIDDEN, "a request from origin '" + origin + "' may not change anything on "
                        + ctx.host(), Map.of("origin", origin));
            }
        }
    }

    /**
     * Who calls: a bearer token when the request has one; else the web UI's session cookie, whose state-changing
     * requests must also carry the session's CSRF token; else, without configured tokens, the local admin.
     */
    private static Principal authenticate(Context ctx, ApiTokens tokens, UiSessions sessions, Route route) {
        if (tokens.isEmpty()) {
            checkLoopbackHost(ctx);
        }
        if (ctx.header("Authorization") == null) {
            String cookie = ctx.cookie(UiSessions.COOKIE);
            if (cookie != null) {
                UiSessions.Session session = sessions.find(cookie).orElseThrow(() -> KilnException.answer(ErrorCode.UNAUTHENTICATED,
                        "the UI session has ended (signed out, expired, its token revoked, or the server restarted): sign in again"));
                if (route.method() != Route.Method.GET && !UiSessions.csrfMatches(session, ctx.header(UiSessions.CSRF_HEADER))) {
                    throw KilnException.answer(ErrorCode.FORBIDDEN, "missing or wrong CSRF token: send the session's token (GET /api/session) in "
                            + UiSessions.CSRF_HEADER, Map.of("header", UiSessions.CSRF_HEADER));
                }
                return sessions.principal(session).orElseThrow(() -> KilnException.answer(ErrorCode.UNAUTHENTICATED,
                        "the UI session's token was revoked: sign in again"));
            }
        }
        return bearer(ctx, tokens);
    }

    private static void checkLoopbackHost(Context ctx) {
        String hostHeader = ctx.host() == null ? "" : ctx.host().toLowerCase(Locale.ROOT).replaceFirst(":[0-9]+$", "");
        if (!LOOPBACK_HOST_NAMES.contains(hostHeader)) {
            throw KilnException.answer(ErrorCode.FORBIDDEN, "without API tokens this server answers only requests addressed to "
                    + "localhost or 127.0.0.1, not '" + ctx.host() + "'", Map.of());
        }
    }

    private static Principal bearer(Context ctx, ApiTokens tokens) {
        if (tokens.isEmpty()) {
            return Principal.LOCAL;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw KilnException.answer(ErrorCode.UNAUTHENTICATED, "this request needs an API token: Authorization: Bearer TOKEN");
        }
        return tokens.authenticate(header.substring(7).trim())
                .orElseThrow(() -> KilnException.answer(ErrorCode.UNAUTHENTICATED, "unknown API token"));
    }

    /** The media type of a Content-Type header, lower case, without parameters; "" when absent. */
    private static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
    }

    private static void respond(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(ApiJson.write(body));
    }

    // ---------------------------------------------------------------- errors

    /** Kiln's error shape ({@link ErrorBody#kiln}) with its code also in the {@link ErrorBody#CODE_HEADER} header. */
    private static void error(Context ctx, int status, ErrorCode code, String message, Map<String, ?> details) {
        ctx.header(ErrorBody.CODE_HEADER, code.wireName());
        respond(ctx, status, ErrorBody.kiln(code, message, details));
    }

    /** Javalin's own errors: no route (404), a body over the limit (413), and the like; the status stays Javalin's. */
    private static void httpError(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        ErrorCode code = ErrorCode.forHttpStatus(status);
        String message = switch (status) {
            case 404 -> "no route " + ctx.method() + " " + ctx.path();
            case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
            case 413 -> "the request body is over " + MAX_BODY_BYTES + " bytes";
            default -> e.getMessage();
        };
        Map<String, ?> details = status == 413 ? Map.of("limit_bytes", MAX_BODY_BYTES) : Map.of();
        error(ctx, status, code, message, details);
    }

    /** Every path parameter in the table has a validation rule, and no method and path appear twice. */
    private static void checkTable(List<Route> routes) {
        Set<String> seen = new HashSet<>();
        for (Route r : routes) {
            if (!seen.add(r.method() + " " + r.path())) {
                throw new IllegalStateException("route " + r + " is declared twice");
            }
            Matcher m = PARAM.matcher(r.path());
            while (m.find()) {
                if (!Params.KNOWN.contains(m.group(1))) {
                    throw new IllegalStateException("route " + r + ": path parameter {" + m.group(1) + "} has no validation rule in Params");
                }
            }
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        return causeOf(t, type) != null;
    }

    private static <T extends Throwable> T causeOf(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }
}
