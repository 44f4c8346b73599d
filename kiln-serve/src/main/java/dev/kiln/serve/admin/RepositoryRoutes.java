package dev.kiln.serve.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.ModelRepository;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.metrics.ServeMeters;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.serve.traffic.CanaryRollout;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model repository routes (admin token only): {@code GET|POST /v2/repository/index}, {@code POST
 * /v2/repository/models/{name}/load} (optional {@code {"parameters": {"ref": REF}}}) and {@code .../unload}, and
 * {@code PUT|DELETE .../canary}, {@code .../shadow}, {@code .../bandit}. Each answers what it changed.
 */
public final class RepositoryRoutes {
    private final ModelHost models;
    private final ModelRepository repository;
    private final CanaryRollout rollouts;
    private final ServeMeters meters;
    /** Whether the server keeps a prediction log: shadows and bandits need it. */
    private final boolean logging;

    public RepositoryRoutes(ModelRepository repository, CanaryRollout rollouts, ServeMeters meters, boolean logging) {
        this.models = repository.host();
        this.repository = repository;
        this.rollouts = rollouts;
        this.meters = meters;
        this.logging = logging;
    }

    /**
     * Every served name with its version, canary (and its rollout), shadow and bandit. A rollout whose canary is gone
     * (rolled back by the server, or stopped) shows as {@code "canary_rollout"} until the next one starts, so that
     * whoever started it can tell a rollback (and why) from a canary lost in a restart.
     */
    public Object index(Exchange x) {
        List<Map<String, Object>> index = repository.index();
        for (Map<String, Object> entry : index) {
            String name = String.valueOf(entry.get("name"));
            if (entry.get("canary") instanceof Map<?, ?> canary) {
                rollouts.status(name).ifPresent(st -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> c = (Map<String, Object>) canary;
                    c.put("rollout", st.toMap());
                });
            } else {
                rollouts.status(name).ifPresent(st -> entry.put("canary_rollout", st.toMap()));
            }
        }
        return index;
    }

    /** Body optional: {@code {"parameters": {"ref": "credit@staging" | "/abs/bundle/dir"}}}. */
    public Object load(Exchange x) {
        String name = x.param("name");
        String ref = null;
        if (x.ctx().req().getContentLengthLong() != 0) {
            byte[] raw = Bodies.bytes(x.ctx());
            if (raw.length > 0) {
                JsonNode body = Bodies.parse(raw);
                JsonNode params = body.get("parameters");
                JsonNode r = params == null ? null : params.get("ref");
                if (params != null && !params.isObject() || r != null && !r.isTextual()) {
                    throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "the body is {\"parameters\": {\"ref\": \"REF\"}} with REF a "
                            + "registry reference or an absolute bundle directory", Map.of("field", "parameters.ref"));
                }
                ref = r == null ? null : r.asText();
            }
        }
        Served s = repository.load(name, ref);
        x.served(s);
        return state(s, ModelRepository.READY);
    }

    public Object unload(Exchange x) {
        String name = x.param("name");
        Served s = repository.unload(name);
        meters.removeModel(name);
        return state(s, ModelRepository.UNAVAILABLE);
    }

    private static Map<String, Object> state(Served s, String state) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("version", s.version());
        out.put("state", state);
        return out;
    }

    /** {@code PUT}: see {@link CanaryRequest}; {@code DELETE}: no body. */
    public Object canary(Exchange x) {
        String name = x.param("name");
        if (x.ctx().method() == HandlerType.DELETE) {
            rollouts.stop(name);
            ModelHost.Canary c = repository.removeCanary(name);
            return removed(name, "removed_version", c.served().version());
        }
        CanaryRequest request = CanaryRequest.of(Bodies.parse(Bodies.bytes(x.ctx())));
        Served s = repository.setCanary(name, request.ref(), request.share(), false);
        if (request.plan() != null) {
            rollouts.start(name, request.plan());
        } else if (request.setsByHand()) {
            rollouts.stop(name);
        }
        ModelHost.Canary c = models.canary(name).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("version", models.get(name).map(Served::version).orElse(""));
        out.put("canary_version", s.version());
        out.put("percent", c.percent());
        rollouts.status(name).ifPresent(st -> out.put("rollout", st.toMap()));
        return out;
    }

    /** {@code PUT}: body {@code {"refs": ["credit:3", "credit:4", ...]}}; {@code DELETE}: no body. */
    public Object bandit(Exchange x) {
        String name = x.param("name");
        if (x.ctx().method() == HandlerType.DELETE) {
            Bandit removed = repository.removeBandit(name);
            return removed(name, "removed_arms", removed.describe());
        }
        if (!logging) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "this server keeps no prediction log, so it takes no feedback, and a "
                    + "bandit learns from feedback: start it without --no-log", Map.of("model", name));
        }
        JsonNode body = object(x, "{\"refs\": [REF, REF, ...]}", "refs", "a bandit takes \"refs\"");
        JsonNode refs = body.get("refs");
        if (refs == null || !refs.isArray()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"refs\" must be an array of registry references or absolute bundle "
                    + "directories, at least two", Map.of("field", "refs"));
        }
        List<String> list = new ArrayList<>();
        for (JsonNode r : refs) {
            if (!r.isTextual()) {
                throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"refs\" holds strings, not " + r, Map.of("field", "refs"));
            }
            list.add(r.asText());
        }
        Bandit bandit = repository.setBandit(name, list, false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("arms", bandit.describe());
        return out;
    }

    /** {@code PUT}: body {@code {"ref": "credit@staging" | "/abs/bundle/dir"}}; {@code DELETE}: no body. */
    public Object shadow(Exchange x) {
        String name = x.param("name");
        if (x.ctx().method() == HandlerType.DELETE) {
            Served removed = repository.removeShadow(name);
            return removed(name, "removed_version", removed.version());
        }
        if (!logging) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "this server keeps no prediction log, and a shadow's answers go only "
                    + "there: start it without --no-log", Map.of("model", name));
        }
        JsonNode body = object(x, "{\"ref\": REF}", "ref", "a shadow takes \"ref\"");
        JsonNode ref = body.get("ref");
        if (ref == null || !ref.isTextual()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"ref\" must be a registry reference or an absolute bundle directory, as a string",
                    Map.of("field", "ref"));
        }
        Served s = repository.setShadow(name, ref.asText(), false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("version", models.get(name).map(Served::version).orElse(""));
        out.put("shadow_version", s.version());
        return out;
    }

    /** The body as a JSON object with no field but {@code field}: 400 naming the first other one. */
    private static JsonNode object(Exchange x, String shape, String field, String takes) {
        JsonNode body = Bodies.parse(Bodies.bytes(x.ctx()));
        if (!body.isObject()) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "the body is a JSON object: " + shape, Map.of());
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals(field)) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "unknown field \"" + f + "\": " + takes, Map.of("field", f));
            }
        }
        return body;
    }

    private static Map<String, Object> removed(String name, String key, Object what) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put(key, what);
        return out;
    }
}
