package dev.kiln.serve.http;

import dev.kiln.serve.ModelHost.Served;
import io.javalin.http.Context;

/** One request: its context, id, start time and (once looked up) the model snapshot that answers it. */
public final class Exchange {
    private final Context ctx;
    private final String requestId;
    private final long startNanos;
    private Served served;

    /** {@code ctx}: null for a request answered by the Jetty fast path. */
    public Exchange(Context ctx, String requestId, long startNanos) {
        this.ctx = ctx;
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    public Context ctx() {
        return ctx;
    }

    public String requestId() {
        return requestId;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The snapshot that answers this request, or null while none is looked up. */
    public Served served() {
        return served;
    }

    public void served(Served s) {
        this.served = s;
    }

    /** A path parameter of the route. */
    public String param(String name) {
        return ctx.pathParam(name);
    }
}
