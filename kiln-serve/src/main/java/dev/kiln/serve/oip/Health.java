package dev.kiln.serve.oip;

import dev.kiln.serve.ModelHost;
import dev.kiln.serve.http.Reply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v2/health/live} (always, while the process answers) and {@code /v2/health/ready}: 200 once every model
 * loaded, 503 while shutting down (so that a load balancer stops sending traffic); the last failed (re)load of each
 * model as {@code errors}.
 */
public final class Health {
    private final ModelHost models;
    private final BooleanSupplier shuttingDown;

    public Health(ModelHost models, BooleanSupplier shuttingDown) {
        this.models = models;
        this.shuttingDown = shuttingDown;
    }

    public Object live() {
        return Map.of("live", true);
    }

    public Object ready() {
        boolean stopping = shuttingDown.getAsBoolean();
        boolean ready = models.ready() && !stopping;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ready", ready);
        if (stopping) {
            out.put("shutting_down", true);
        }
        Map<String, String> errors = new TreeMap<>();
        for (String name : models.names()) {
            models.lastError(name).ifPresent(e -> errors.put(name, e));
        }
        if (!errors.isEmpty()) {
            out.put("errors", errors); // the last failed (re)load per model; the version before it keeps serving
        }
        return new Reply(ready ? 200 : 503, out);
    }
}
