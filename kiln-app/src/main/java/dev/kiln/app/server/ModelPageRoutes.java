package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;

import dev.kiln.app.registry.AliasTimeline;
import dev.kiln.app.registry.ModelCardData;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.TrackingStore;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry as the model page reads it: versions a page at a time, a model's summary in one request, which version
 * each alias served at an instant, and a version's model card. Reads only (viewer); moving an alias stays
 * {@code PUT /api/models/{name}/aliases/{alias}} in {@link Api}.
 */
final class ModelPageRoutes {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;
    static final int DEFAULT_SUMMARY_VERSIONS = 20;
    static final int MAX_SUMMARY_VERSIONS = 100;
    /** The summary's timeline: the newest moves (each alias's current one kept); {@code /timeline} has them all. */
    static final int DEFAULT_SUMMARY_MOVES = 200;
    static final int MAX_MOVES = 100_000;

    private final ModelRegistry registry;
    private final TrackingStore tracking;

    ModelPageRoutes(ModelRegistry registry, TrackingStore tracking) {
        this.registry = registry;
        this.tracking = tracking;
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/models", role(VIEWER), this::models),
                new Route(GET, "/api/models/{name}/versions", role(VIEWER), this::versions),
                new Route(GET, "/api/models/{name}/summary", role(VIEWER), this::summary),
                new Route(GET, "/api/models/{name}/timeline", role(VIEWER), this::timeline),
                new Route(GET, "/api/models/{name}/aliases", role(VIEWER), this::aliasesAt),
                new Route(GET, "/api/models/{name}/versions/{version}/card", role(VIEWER), this::card));
    }

    /** Every model (as {@code GET /api/models/{name}}) with {@code updated_at}: the time of its latest registry event. */
    private List<Map<String, Object>> models(Call c) {
        Map<String, Instant> changed = registry.lastChanged();
        return registry.models().stream().map(model -> {
            Map<String, Object> m = Views.model(model);
            m.put("updated_at", Views.time(changed.get(model.name())));
            return m;
        }).toList();
    }

    /**
     * Without {@code page_size} or {@code page_token}: every version, oldest first, as a bare list (the answer clients
     * had before paging). With either: {@code {"versions", "next_page_token", "total"}}, newest first; the token is
     * opaque to clients (the last version of the page) and null on the last page.
     */
    private Object versions(Call c) {
        String name = c.param("name");
        String size = c.query("page_size");
        String token = c.query("page_token");
        RegisteredModel model = model(name);
        if (size == null && token == null) {
            return registry.versions(name).stream().map(v -> Views.version(model, v)).toList();
        }
        int pageSize = size == null ? DEFAULT_PAGE_SIZE : intParameter("page_size", size, 1, MAX_PAGE_SIZE);
        Integer before = token == null ? null : intParameter("page_token", token, 1, Integer.MAX_VALUE);
        // One more than asked says whether another page follows without counting.
        List<ModelVersion> rows = registry.versionsNewestFirst(name, pageSize + 1, before);
        List<ModelVersion> page = rows.size() > pageSize ? rows.subList(0, pageSize) : rows;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("versions", page.stream().map(v -> Views.version(model, v)).toList());
        m.put("next_page_token", rows.size() > pageSize ? Integer.toString(page.get(page.size() - 1).version()) : null);
        m.put("total", model.latestVersion());
        return m;
    }

    /**
     * Everything the model page shows first, in one answer: the model (description, tags, aliases), its version count,
     * the latest {@code ?versions=N} versions (default 20, at most 100) and the alias timeline's newest {@code ?moves=M}
     * moves (default 200; each alias's current interval always), with {@code moves} (all of them) and {@code truncated}.
     */
    private Map<String, Object> summary(Call c) {
        String name = c.param("name");
        String n = c.query("versions");
        int latest = n == null ? DEFAULT_SUMMARY_VERSIONS : intParameter("versions", n, 1, MAX_SUMMARY_VERSIONS);
        String movesParam = c.query("moves");
        int moves = movesParam == null ? DEFAULT_SUMMARY_MOVES : intParameter("moves", movesParam, 1, MAX_MOVES);
        RegisteredModel model = model(name);
        List<ModelVersion> rows = registry.versionsNewestFirst(name, latest + 1, null);
        List<ModelVersion> page = rows.size() > latest ? rows.subList(0, latest) : rows;
        AliasTimeline timeline = AliasTimeline.of(registry.aliasHistory(name));
        Map<String, Object> m = new LinkedHashMap<>(Views.model(model));
        m.put("version_count", model.latestVersion());
        m.put("versions", page.stream().map(v -> Views.version(model, v)).toList());
        m.put("next_page_token", rows.size() > latest ? Integer.toString(page.get(page.size() - 1).version()) : null);
        m.put("timeline", TimelineView.of(timeline, model, moves));
        return m;
    }

    /** The whole alias timeline ({@code ?moves=M}: only the newest M moves, each alias's current one kept). */
    private Map<String, Object> timeline(Call c) {
        String name = c.param("name");
        String movesParam = c.query("moves");
        int moves = movesParam == null ? MAX_MOVES : intParameter("moves", movesParam, 1, MAX_MOVES);
        RegisteredModel model = model(name);
        return TimelineView.of(AliasTimeline.of(registry.aliasHistory(name)), model, moves);
    }

    /** {@code ?at=ISO-8601} (default: now): the version each alias pointed at then, with the move that put it there. */
    private Map<String, Object> aliasesAt(Call c) {
        String name = c.param("name");
        String raw = c.query("at");
        Instant at = raw == null ? Instant.now() : instant("at", raw);
        model(name);
        Map<String, Object> aliases = new LinkedHashMap<>();
        AliasTimeline.of(registry.aliasHistory(name)).at(at).forEach((alias, iv) -> aliases.put(alias, TimelineView.interval(iv)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("at", at.toString());
        m.put("aliases", aliases);
        return m;
    }

    private Map<String, Object> card(Call c) {
        ModelVersion v = registry.version(c.param("name"), c.version());
        RegisteredModel model = model(v.model());
        var run = v.sourceRunId() == null ? null : tracking.run(v.sourceRunId()).orElse(null);
        return CardView.of(ModelCardData.of(model, v, BundleReader.read(registry.bundlePath(v)), run));
    }

    // ---------------------------------------------------------------- helpers

    private RegisteredModel model(String name) {
        return registry.model(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND, "no model named '" + name + "'",
                Map.of("model", name)));
    }

    static int intParameter(String parameter, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter " + parameter + "='" + value + "' must be an integer from "
                + min + " to " + max, Map.of("parameter", parameter, "value", value));
    }

    /** An ISO-8601 date-time with its zone or offset ({@code 2026-03-03T14:00:00Z}, {@code 2026-03-03T15:00+01:00}). */
    static Instant instant(String parameter, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter " + parameter + "='" + value
                    + "' must be an ISO-8601 date-time with a zone or offset, e.g. 2026-03-03T14:00:00Z",
                    Map.of("parameter", parameter, "value", value));
        }
    }
}
