package dev.kiln.serve;

import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.http.Access;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.http.FastBody;
import dev.kiln.serve.http.Headers;
import dev.kiln.serve.http.MediaTypes;
import dev.kiln.serve.http.Replay;
import dev.kiln.serve.http.RequestIds;
import dev.kiln.serve.metrics.ModelMeters;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The records route ({@code POST /v1/models/{name}:predict}) answered straight from a Jetty core handler placed in
 * front of Javalin's servlet stack, for the common case only: a well-formed single request with a
 * {@code Content-Length} of 1 byte to {@link Bodies#MAX_BYTES}, no {@code Expect}, a plain path, an allowed Host spelled
 * exactly, a JSON Content-Type, an accepted token (if any), a served model, and a body that the streaming parse takes and the model scores. It runs the same code as
 * the Javalin route ({@link RecordsRoutes#predictPlain}, token check, request id, meters, flags, prediction log,
 * in-flight count) and writes the same status, headers and body. Everything else (another route, an error of any
 * kind, a body that stalls or ends early) goes on to the Javalin route, with the body bytes already read replayed
 * to it, so every other answer comes from the one place that defines it.
 *
 * <p>The handler is {@linkplain Invocable.InvocationType#NON_BLOCKING non-blocking}: Jetty runs it on the selector
 * thread that parsed the request, with no hand-off to a pool thread (on the load test's two cores that hand-off cost
 * more than Kiln's own work: a bare blocking Jetty handler answered 0.47x nginx's requests/s, a non-blocking one
 * 0.77x). So it must never wait: a request whose body (at most {@link #INLINE_BODY_BYTES}) has fully arrived is scored
 * there (parsing and scoring a few rows take microseconds, the log offer never blocks); one whose body is still
 * arriving or larger, and every request it does not answer, is handed to the server's thread pool, where the rest of
 * the body is awaited and the Javalin stack (which blocks) runs as it would have.
 */
final class FastPredict extends Handler.Wrapper {
    /** Bodies up to this size are scored on the selector thread (a single row is under 1 KiB). */
    static final int INLINE_BODY_BYTES = 16 << 10;
    /** The Content-Type the fast path answers with: the one the Javalin route's answers carry. */
    static final String CONTENT_TYPE = "application/json";
    private static final HttpField CONTENT_TYPE_FIELD = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
    private static final String PREFIX = "/v1/models/";
    private static final String SUFFIX = ":predict";

    private final ServeState state;
    private final RecordsRoutes records;

    FastPredict(ServeState state, RecordsRoutes records) {
        this.state = state;
        this.records = records;
    }

    @Override
    public Invocable.InvocationType getInvocationType() {
        return Invocable.InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String name = state.fastPath ? modelName(request) : null;
        Served s = name == null ? null : served(name, request);
        if (s == null) {
            return FastBody.expected(request) ? readThenHandOn(request, response, callback) : handOn(request, response, callback, List.of(), false);
        }
        long start = System.nanoTime();
        state.inFlight.begin(); // given back by answer(), or below if it never runs
        long length = request.getLength();
        FastBody body = length <= INLINE_BODY_BYTES ? new FastBody((int) length) : new FastBody(length, (int) Bodies.MAX_BYTES);
        boolean arrived;
        try {
            // A large body (many rows) is read and scored on a pool thread: scored here, it would hold up the other
            // connections of this selector for as long as it takes.
            arrived = length <= INLINE_BODY_BYTES && body.readArrived(request);
        } catch (RuntimeException e) {
            state.inFlight.done();
            throw e;
        }
        if (arrived) {
            return answer(request, response, callback, s, body, start, false);
        }
        // The rest of the body is still on its way (or it is large): read it as it comes, holding no thread, then score it
        // on a pool thread.
        body.readAsync(request, getServer().getScheduler(), state.bodyTimeoutMillis, () -> {
            if (!onPool(request, response, callback, () -> answer(request, response, callback, s, body, start, true))) {
                state.inFlight.done();
            }
        });
        return true;
    }

    /** The snapshot that scores a request the fast path may take, or null when the routes must answer it (any refusal). */
    private Served served(String name, Request request) {
        ModelHost.Slot slot = state.models.slot(name);
        Served s = slot == null ? null : slot.canary == null && slot.bandit == null ? slot.served : routed(slot, request);
        HttpFields headers = request.getHeaders();
        if (s == null || !state.hosts.allowsExactly(headers.get(HttpHeader.HOST)) || !MediaTypes.isJson(headers.get(HttpHeader.CONTENT_TYPE))
                || !state.tokens.allows(Access.MODEL, headers.get(HttpHeader.AUTHORIZATION))) {
            return null;
        }
        return s;
    }

    /**
     * Any other request with a body: the body is read as it arrives (no thread waits on a slow client, and one that does
     * not finish within the body timeout ends in a timeout, answered 408), then the routes answer on a pool thread with
     * the body put back in front. Bodies over the limit, and requests that expect a 100 Continue, go on at once.
     */
    private boolean readThenHandOn(Request request, Response response, Callback callback) {
        long length = request.getLength();
        if (length > Bodies.MAX_BYTES || request.getHeaders().contains(HttpHeader.EXPECT)) {
            return handOn(request, response, callback, List.of(), false);
        }
        FastBody body = new FastBody(length, (int) Bodies.MAX_BYTES);
        body.readAsync(request, getServer().getScheduler(), state.bodyTimeoutMillis,
                () -> onPool(request, response, callback, () -> next(new Replay(request, body.replay()), response, callback)));
        return true;
    }

    /**
     * Scores a request whose body has been read, or hands it on; gives back its in-flight count either way (when the
     * answer is written, or before handing on). {@code pooled}: whether this thread may block.
     */
    private boolean answer(Request request, Response response, Callback callback, Served s, FastBody body, long start, boolean pooled) {
        boolean released = false; // this request's in-flight count given back (answered, or handed to Javalin)
        try {
            if (!body.complete()) { // stalled (idle or body timeout) or cut short: Javalin's route answers it
                released = true;
                state.inFlight.done(); // the Javalin route counts it from here
                return handOn(request, response, callback, body.replay(), pooled);
            }
            String id = RequestIds.of(request.getHeaders().get(RequestIds.HEADER));
            Exchange x = new Exchange(null, id, start);
            x.served(s);
            byte[] out;
            try {
                out = records.predictPlain(x, s, body.bytes());
            } catch (Throwable notPlainOrRefused) { // nothing recorded yet: the Javalin route answers it (an Error too, logged there once)
                released = true;
                state.inFlight.done(); // the Javalin route counts it from here
                return handOn(request, response, callback, List.of(Content.Chunk.from(ByteBuffer.wrap(body.bytes()), true)), pooled);
            }
            released = true; // by the write's callback
            respond(response, callback, s, id, out, start);
            return true;
        } finally {
            if (!released) {
                state.inFlight.done();
            }
        }
    }

    /** Writes the 200 with the Javalin route's headers, in its order, and records it; the write gives back the in-flight count. */
    private void respond(Response response, Callback callback, Served s, String id, byte[] out, long start) {
        response.setStatus(200);
        ModelMeters m = state.meters.meters(s);
        // Added, not put: a fresh response has none of these. The constant ones encoded once.
        HttpFields.Mutable h = response.getHeaders();
        h.add(CONTENT_TYPE_FIELD);
        h.add(RequestIds.HEADER, id);
        h.add(m != null ? m.versionField() : new HttpField(Headers.VERSION, s.version()));
        h.add(new HttpField.LongValueHttpField(HttpHeader.CONTENT_LENGTH, out.length));
        if (m != null) {
            m.record(ModelMeters.SUCCESS, System.nanoTime() - start);
        }
        state.fastAnswered.increment();
        response.write(true, ByteBuffer.wrap(out), new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                state.inFlight.done();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                state.inFlight.done();
                super.failed(x);
            }
        });
    }

    /**
     * Hands the request on to Javalin, with the body bytes (and failure) already read put back in front: on this
     * thread when it may block ({@code pooled}), else on a pool thread.
     */
    private boolean handOn(Request request, Response response, Callback callback, List<Content.Chunk> replay, boolean pooled) {
        Request r = replay.isEmpty() ? request : new Replay(request, replay);
        if (pooled) {
            return next(r, response, callback);
        }
        onPool(r, response, callback, () -> next(r, response, callback));
        return true;
    }

    /** The wrapped (Javalin) handlers, answering 404 if none takes the request and an error if they throw. */
    private boolean next(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                Response.writeError(request, response, callback, 404);
            }
        } catch (Throwable t) {
            Response.writeError(request, response, callback, t);
        }
        return true;
    }

    /**
     * Runs {@code task} on the server's thread pool, answering 404 if it returns false and an error if it throws;
     * false (after answering 503) if the pool refuses it.
     */
    private boolean onPool(Request request, Response response, Callback callback, java.util.concurrent.Callable<Boolean> task) {
        try {
            getServer().getThreadPool().execute(() -> {
                try {
                    if (!task.call()) {
                        Response.writeError(request, response, callback, 404);
                    }
                } catch (Throwable t) {
                    Response.writeError(request, response, callback, t);
                }
            });
        } catch (RejectedExecutionException full) {
            Response.writeError(request, response, callback, 503);
            return false;
        }
        return true;
    }

    /** The model or canary of a slot that has a canary, for this request's routing key. */
    private static Served routed(ModelHost.Slot slot, Request request) {
        return ModelHost.route(slot, Headers.routeKey(request.getHeaders().get(Headers.ROUTE_KEY), request.getHeaders().get(RequestIds.HEADER)));
    }

    /** The model named by a request the fast path may take; null for anything else. */
    private static String modelName(Request request) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            return null;
        }
        String path = request.getHttpURI().getPath();
        if (path == null || path.length() <= PREFIX.length() + SUFFIX.length() || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
            return null;
        }
        long length = request.getLength();
        if (length <= 0 || length > Bodies.MAX_BYTES || request.getHeaders().contains(HttpHeader.EXPECT)) {
            return null;
        }
        String name = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '%' || c == ';' || c <= ' ' || c >= 0x7f) {
                return null; // let Javalin match and decode it
            }
        }
        return name;
    }
}
