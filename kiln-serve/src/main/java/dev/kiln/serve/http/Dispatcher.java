package dev.kiln.serve.http;

import dev.kiln.runtime.KilnException;
import dev.kiln.serve.metrics.ModelMeters;
import dev.kiln.serve.metrics.ServeMeters;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Runs a route of the table under its policy: the request id, the Host it is addressed to ({@link HostCheck}), the
 * token its {@link Access} needs, a JSON body ({@link MediaTypes}), the in-flight count, the version header, the answer written with its length, every throwable answered through
 * {@link ErrorWriter}, and for a scoring route the model's meters.
 */
public final class Dispatcher {
    private static final String EXCHANGE = "kiln.exchange";

    private final HostCheck hosts;
    private final Tokens tokens;
    private final ErrorWriter errors;
    private final ServeMeters meters;
    private final InFlight inFlight;
    /** The Kiln-Model-Version of an answer that names no model: every served model as name=version. */
    private final Supplier<String> versions;

    public Dispatcher(HostCheck hosts, Tokens tokens, ErrorWriter errors, ServeMeters meters, InFlight inFlight,
                      Supplier<String> versions) {
        this.hosts = hosts;
        this.tokens = tokens;
        this.errors = errors;
        this.meters = meters;
        this.inFlight = inFlight;
        this.versions = versions;
    }

    /** The Javalin handler of a route. */
    public Handler handler(Route route) {
        if (route.kind() == Route.Kind.SCRAPE) {
            return ctx -> run(route, ctx);
        }
        return ctx -> {
            inFlight.begin();
            try {
                run(route, ctx);
            } finally {
                inFlight.done();
            }
        };
    }

    private void run(Route route, Context ctx) {
        long start = System.nanoTime();
        Exchange x = exchange(ctx);
        int status;
        try {
            hosts.check(ctx.header("Host"));
            tokens.check(route.access(), ctx.header("Authorization"));
            if (route.takesBody()) {
                MediaTypes.requireJson(ctx.header("Content-Type"), ctx.req().getContentLengthLong());
            }
            Object out = route.action().handle(x);
            status = out instanceof Reply reply ? reply.status() : 200;
            Object body = out instanceof Reply reply ? reply.body() : out;
            ctx.header(Headers.VERSION, x.served() != null ? x.served().version() : versions.get());
            if (body != null) {
                send(ctx, status, body instanceof byte[] b ? b : Json.MAPPER.writeValueAsBytes(body));
            }
        } catch (Throwable t) { // every one, errors included (a stack overflow in a model): never an empty 500
            status = failSafely(ctx, t);
        }
        if (route.kind() == Route.Kind.SCORING && x.served() != null) {
            ModelMeters m = meters.meters(x.served());
            if (m != null) {
                m.record(ModelMeters.outcome(status), System.nanoTime() - start);
            }
        }
    }

    /** Answers a throwable from a route (or Javalin's router) in the route's protocol's shape; returns the status. */
    public int fail(Context ctx, Throwable t) {
        Exchange x = exchange(ctx);
        KilnException e = errors.classify(t, String.valueOf(ctx.method()), ctx.path());
        ctx.header(Headers.VERSION, x.served() != null ? x.served().version() : versions.get());
        errors.answer(ctx, e);
        return e.httpStatus();
    }

    /**
     * {@link #fail}, and if answering fails too (memory still short after an OutOfMemoryError), the constant internal
     * error body: a 500 always has one.
     */
    private int failSafely(Context ctx, Throwable t) {
        try {
            return fail(ctx, t);
        } catch (Throwable again) {
            ctx.status(500).contentType("application/json").result(INTERNAL_BODY);
            return 500;
        }
    }

    private static final byte[] INTERNAL_BODY = ("{\"error\":{\"code\":\"internal\",\"message\":\"" + ErrorWriter.INTERNAL_MESSAGE
            + "\",\"details\":{}}}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Writes a JSON body straight to the response with its length (one write; no copy through Javalin's result stream). */
    private static void send(Context ctx, int status, byte[] bytes) throws IOException {
        ctx.status(status).contentType("application/json");
        HttpServletResponse res = ctx.res();
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }

    /** The request's exchange, made (and its request id echoed) on first use. */
    static Exchange exchange(Context ctx) {
        Exchange x = ctx.attribute(EXCHANGE);
        if (x == null) {
            String id = RequestIds.of(ctx.header(RequestIds.HEADER));
            x = new Exchange(ctx, id, System.nanoTime());
            ctx.attribute(EXCHANGE, x);
            ctx.header(RequestIds.HEADER, id);
        }
        return x;
    }
}
