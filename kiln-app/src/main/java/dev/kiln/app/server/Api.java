package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.ADMIN;
import static dev.kiln.app.server.Role.EDITOR;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.DELETE;
import static dev.kiln.app.server.Route.Method.GET;
import static dev.kiln.app.server.Route.Method.POST;
import static dev.kiln.app.server.Route.Method.PUT;

import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.store.Artifact;
import dev.kiln.store.ArtifactStore;
import dev.kiln.store.GoverningTags;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelEvent;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelRegistry;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import dev.kiln.store.RunStatus;
import dev.kiln.store.TrackingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The REST API for tracking and the registry: {@link #routes()} is the one table of routes, each with its
 * access policy. Two routes take uploads rather than JSON: a bundle as a zip (registering a version) and a
 * run's file artifact as raw bytes; both go through a fresh directory under {@code HOME/tmp} ({@link Uploads}).
 */
public final class Api {
    static final String ZIP = "application/zip";
    static final String OCTET_STREAM = "application/octet-stream";

    private final TrackingStore tracking;
    private final ModelRegistry registry;
    private final ArtifactStore artifacts;
    private final Uploads uploads;
    private final dev.kiln.store.AlertStore alerts;
    private final KilnStore store;
    private final MonitoringRoutes monitoring;

    public Api(KilnStore store) {
        this(store, MonitoringSources.none());
    }

    /** With the prediction logs the monitoring routes read. */
    public Api(KilnStore store, MonitoringSources logs) {
        this.store = store;
        this.monitoring = new MonitoringRoutes(store, logs);
        this.tracking = store.tracking();
        this.registry = store.registry();
        this.artifacts = store.artifacts();
        this.uploads = new Uploads(store.home());
        this.alerts = store.alerts();
    }

    /** Monitoring alerts, newest first: {@code ?model=NAME}, {@code ?open=true}, {@code ?limit=N}. */
    private Object alerts(Call c) {
        String model = c.query("model");
        if (model != null) {
            dev.kiln.store.ModelRef.checkName(model, "model");
        }
        String open = c.query("open");
        if (open != null && !open.equals("true") && !open.equals("false")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "open must be true or false, not '" + open + "'",
                    Map.of("field", "open"));
        }
        return Map.of("alerts", alerts.list(model, "true".equals(open), c.limit()).stream().map(Views::alert).toList());
    }

    private Object alert(Call c) {
        long id = Long.parseLong(c.param("alert")); // checked by Params
        return Views.alert(alerts.get(id).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "no alert " + id, Map.of("alert", id))));
    }

    /** Every route of the API with its policy. The server registers these and nothing else. */
    public List<Route> routes() {
        // RunSearchRoutes first: its literal paths (/api/runs/search, /api/runs/columns) must be matched before {id}.
        List<Route> all = new ArrayList<>(new RunSearchRoutes(tracking).routes());
        all.addAll(coreRoutes());
        all.addAll(new RunReportRoutes(store).routes());
        all.addAll(new DataRoutes(store).routes());
        all.addAll(new PipelineRoutes(store.pipelines()).routes());
        all.addAll(new DeploymentRoutes(store.deployments()).routes());
        all.addAll(monitoring.routes());
        all.addAll(new ModelPageRoutes(registry, tracking).routes());
        return List.copyOf(all);
    }

    /** Tracking, registry and alerts: the API's first routes. */
    private List<Route> coreRoutes() {
        return List.of(
                new Route(GET, "/api/health", Access.open(), c -> health()),

                new Route(GET, "/api/experiments/{experiment}/runs", role(VIEWER),
                        c -> Views.runs(tracking.runs(c.param("experiment"), c.limit()))),
                new Route(GET, "/api/runs", role(VIEWER), c -> Views.runs(tracking.runs(c.query("experiment"), c.limit()))),
                new Route(GET, "/api/runs/{id}", role(VIEWER), this::run),
                new Route(GET, "/api/runs/{id}/metrics/{key}", role(VIEWER), this::metricHistory),
                new Route(GET, "/api/runs/{id}/artifacts/{artifact}", role(VIEWER), this::artifact),
                new Route(GET, "/api/models/{name}", role(VIEWER), c -> Views.model(model(c.param("name")))),
                new Route(GET, "/api/models/{name}/versions/{version}", role(VIEWER), this::version),
                new Route(GET, "/api/models/{name}/aliases/{alias}", role(VIEWER), this::alias),
                new Route(GET, "/api/models/{name}/history", role(VIEWER),
                        c -> registry.history(c.param("name")).stream().map(Views::event).toList()),
                new Route(GET, "/api/lineage/{ref}", role(VIEWER), this::lineage),
                new Route(GET, "/api/alerts", role(VIEWER), this::alerts),
                new Route(GET, "/api/alerts/{alert}", role(VIEWER), this::alert),

                new Route(POST, "/api/runs", role(EDITOR), this::startRun),
                new Route(POST, "/api/runs/{id}/params", role(EDITOR), this::logParams),
                new Route(POST, "/api/runs/{id}/metrics", role(EDITOR), this::logMetrics),
                new Route(POST, "/api/runs/{id}/tags", role(EDITOR), this::setRunTags),
                new Route(POST, "/api/runs/{id}/end", role(EDITOR), this::endRun),
                Route.upload(POST, "/api/runs/{id}/artifacts/{artifact}", role(EDITOR), OCTET_STREAM, this::logArtifact),
                Route.upload(POST, "/api/models/{name}/versions", role(EDITOR), ZIP, this::registerVersion),
                new Route(PUT, "/api/models/{name}/tags/{key}", role(EDITOR), this::setModelTag),
                new Route(DELETE, "/api/models/{name}/tags/{key}", role(EDITOR), this::removeModelTag),
                new Route(PUT, "/api/models/{name}/description", role(EDITOR), this::setDescription),
                new Route(PUT, "/api/models/{name}/aliases/{alias}", Access.alias(EDITOR, ADMIN, this::isProtected), this::moveAlias),

                new Route(DELETE, "/api/models/{name}/aliases/{alias}", role(ADMIN), this::removeAlias));
    }

    /** Whether moving {@code alias} of {@code model} runs the gates, and so needs the admin role (the gates' own rule). */
    boolean isProtected(String model, String alias) {
        return Gates.isProtected(registry.model(model).map(RegisteredModel::tags).orElse(Map.of()), alias);
    }

    // ---------------------------------------------------------------- reads

    private static Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("version", KilnVersion.get());
        return m;
    }

    private Map<String, Object> run(Call c) {
        Run r = run(c.param("id"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", Views.run(r));
        m.put("artifacts", tracking.artifacts(r.id()).stream().map(Views::artifact).toList());
        m.put("children", Views.runs(tracking.childRuns(r.id())));
        return m;
    }

    private Map<String, Object> metricHistory(Call c) {
        String id = c.param("id");
        String key = c.param("key");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", id);
        m.put("key", key);
        m.put("history", tracking.metricHistory(id, key).stream().map(Views::point).toList());
        return m;
    }

    private Map<String, Object> version(Call c) {
        ModelVersion v = registry.version(c.param("name"), c.version());
        return Views.version(model(v.model()), v);
    }

    private Map<String, Object> alias(Call c) {
        ModelVersion v = registry.resolve(new ModelRef(c.param("name"), c.param("alias"), null));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias", c.param("alias"));
        m.putAll(Views.version(model(v.model()), v));
        return m;
    }

    /** Dataset version, then the run that trained on it, then the model version, then the aliases pointing at it. */
    private Map<String, Object> lineage(Call c) {
        ModelRef ref = ModelRef.parse(c.param("ref"));
        ModelVersion v = registry.resolve(ref);
        RegisteredModel model = model(v.model());
        BundleManifest manifest = BundleReader.read(registry.bundlePath(v)).manifest();
        Lineage l = manifest.lineage();
        Run run = v.sourceRunId() == null ? null : tracking.run(v.sourceRunId()).orElse(null);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ref", ref.toString());
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("sha256", l == null ? v.datasetSha256() : l.datasetSha256());
        dataset.put("source", l == null ? null : l.datasetSource());
        dataset.put("rows", l == null ? null : l.datasetRows());
        m.put("dataset", dataset);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", v.sourceRunId());
        r.put("experiment", run == null ? null : run.experiment());
        r.put("status", run == null ? null : run.status().name().toLowerCase(Locale.ROOT));
        r.put("started_at", run == null ? null : Views.time(run.startedAt()));
        m.put("run", v.sourceRunId() == null ? null : r);
        m.put("version", Views.version(model, v));
        List<Map<String, Object>> aliases = new ArrayList<>();
        List<ModelEvent> history = registry.history(v.model());
        model.aliases().entrySet().stream().filter(e -> e.getValue() == v.version()).map(Map.Entry::getKey).sorted().forEach(alias -> {
            ModelEvent since = null;
            for (ModelEvent e : history) {
                if (e.type().equals("alias_set") && alias.equals(e.alias()) && e.version() != null && e.version() == v.version()) {
                    since = e;
                }
            }
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("alias", alias);
            a.put("since", since == null ? null : Views.time(since.at()));
            a.put("by", since == null ? null : since.actor());
            aliases.add(a);
        });
        m.put("aliases", aliases);
        Map<String, Object> code = new LinkedHashMap<>();
        code.put("kiln_version", l == null ? null : l.kilnVersion());
        code.put("git_commit", l == null ? null : l.gitCommit());
        m.put("code", code);
        return m;
    }

    /**
     * A file artifact's bytes, from the content-addressed store after checking its checksum. Bundles and
     * directories are not files: 409 (a registered bundle is read through the registry).
     */
    private Route.FileReply artifact(Call c) {
        String id = c.param("id");
        String name = c.param("artifact");
        run(id);
        Artifact a = tracking.artifacts(id).stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new KilnException(ErrorCode.FILE_NOT_FOUND, "run " + id + " has no artifact named '" + name + "'",
                        Map.of("run", id, "artifact", name)));
        if (!"file".equals(a.kind())) {
            throw new KilnException(ErrorCode.CONFLICT, "artifact '" + name + "' of run " + id + " is a " + a.kind()
                    + ", not a file: only file artifacts can be downloaded", Map.of("run", id, "artifact", name, "kind", a.kind()));
        }
        Path file;
        try {
            file = artifacts.file(a.sha256());
        } catch (KilnException e) {
            // Missing or failing its checksum: the store is damaged, which is not the caller's doing.
            throw new KilnException(ErrorCode.INTERNAL, "artifact '" + name + "' of run " + id + ": " + e.getMessage(),
                    Map.of(), e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Disposition", "attachment; filename=\"" + name + "\"");
        headers.put("ETag", "\"" + a.sha256() + "\"");
        headers.put("X-Kiln-Sha256", a.sha256());
        headers.put("X-Content-Type-Options", "nosniff");
        return new Route.FileReply(file, OCTET_STREAM, headers);
    }

    // ---------------------------------------------------------------- tracking writes

    private Route.Reply startRun(Call c) {
        Body b = c.body().allow("experiment", "name", "parent_run_id", "tags");
        String parent = b.optString("parent_run_id");
        if (parent != null && !Params.RUN_ID.matcher(parent).matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "field 'parent_run_id' must be a run id (a UUID)",
                    Map.of("field", "parent_run_id"));
        }
        Run r = tracking.startRun(b.string("experiment"), parent, b.optString("name"), b.optScalars("tags"));
        return new Route.Reply(201, Views.run(r));
    }

    private Map<String, Object> logParams(Call c) {
        String id = c.param("id");
        tracking.logParams(id, c.body().asScalars());
        return Views.run(run(id));
    }

    private Map<String, Object> logMetrics(Call c) {
        String id = c.param("id");
        Body b = c.body().allow("key", "value", "step", "metrics");
        long step = b.optLong("step", 0);
        if (b.has("metrics")) {
            if (b.has("key") || b.has("value")) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "give either {key, value, step} or {metrics: {...}, step}, not both",
                        Map.of("field", "metrics"));
            }
            tracking.logMetrics(id, b.numbers("metrics"), step);
        } else {
            tracking.logMetric(id, b.string("key"), b.number("value"), step);
        }
        return Views.run(run(id));
    }

    private Map<String, Object> setRunTags(Call c) {
        String id = c.param("id");
        Map<String, String> tags = c.body().asScalars();
        tracking.setTags(id, tags);
        return Views.run(run(id));
    }

    private Map<String, Object> endRun(Call c) {
        String id = c.param("id");
        String status = c.body().allow("status").string("status");
        RunStatus s = Arrays.stream(RunStatus.values()).filter(x -> x.isTerminal() && x.name().equalsIgnoreCase(status)).findFirst()
                .orElseThrow(() -> new KilnException(ErrorCode.INVALID_ARGUMENT, "field 'status' must be one of finished, failed, killed, not '"
                        + status + "'", Map.of("field", "status")));
        tracking.endRun(id, s);
        return Views.run(run(id));
    }

    /** The body, raw bytes up to the upload limit, becomes a file artifact of the run. */
    private Route.Reply logArtifact(Call c) {
        String id = c.param("id");
        String name = ArtifactStore.checkArtifactName(c.param("artifact"));
        run(id); // before reading an upload for nothing
        Path work = uploads.newDirectory();
        try {
            Path file = work.resolve("artifact");
            Uploads.receive(c, file);
            Artifact a = tracking.logArtifact(id, name, file);
            return new Route.Reply(201, Views.artifact(a));
        } finally {
            Uploads.delete(work);
        }
    }

    // ---------------------------------------------------------------- registry writes

    /**
     * Registers the next version of a model from a bundle uploaded as a zip ({@link BundleZip} says what is
     * accepted). The registry verifies every checksum and copies the bundle into the artifact store; the
     * upload's directory is removed whatever happens.
     */
    private Route.Reply registerVersion(Call c) {
        String name = c.param("name");
        String sourceRun = c.query("source_run");
        if (sourceRun != null) {
            if (!Params.RUN_ID.matcher(sourceRun).matches()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter source_run='" + sourceRun + "' must be a run id (a UUID)",
                        Map.of("parameter", "source_run", "value", sourceRun));
            }
            run(sourceRun);
        }
        String reason = c.query("reason");
        Path work = uploads.newDirectory();
        try {
            Path zip = work.resolve("bundle.zip");
            Uploads.receive(c, zip);
            Path bundle = Files.createDirectory(work.resolve("bundle"));
            BundleZip.unpack(zip, bundle);
            ModelVersion v;
            try {
                v = registry.register(name, bundle, sourceRun, c.principal().name(), reason);
            } catch (KilnException e) {
                throw withoutPath(e, bundle);
            }
            return new Route.Reply(201, Views.version(model(name), v));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot unpack an upload in " + work + ": " + e.getMessage(), Map.of(), e);
        } finally {
            Uploads.delete(work);
        }
    }

    /**
     * The bundle errors name files by their path; for an upload that is a temporary directory of the server,
     * meaningless to the caller, so the path becomes the file's name in the bundle.
     */
    private static KilnException withoutPath(KilnException e, Path dir) {
        if (e.code().category() == ErrorCode.Category.INTERNAL) {
            return e; // logged with its paths, answered without its message
        }
        List<String> forms = new ArrayList<>(List.of(dir.toString()));
        try {
            forms.add(dir.toRealPath().toString());
        } catch (IOException ignored) {
            // the plain form only
        }
        forms.sort(Comparator.comparingInt(String::length).reversed());
        Map<String, Object> details = new LinkedHashMap<>();
        e.details().forEach((k, v) -> details.put(k, v instanceof String text ? strip(text, forms) : v));
        return new KilnException(e.code(), strip(e.getMessage(), forms), details, e);
    }

    private static String strip(String text, List<String> dirs) {
        String out = text;
        for (String d : dirs) {
            out = out.replace(d + java.io.File.separator, "").replace(d, "the uploaded bundle");
        }
        return out;
    }

    /**
     * Sets a model tag: {@code {"value": "...", "reason": "..."}}. A tag that governs promotion
     * ({@link GoverningTags}: {@code protected_aliases}, {@code gate.*}) needs the admin role, checked before the
     * body is read; the registry records every change with its previous value and reason.
     */
    private Map<String, Object> setModelTag(Call c) {
        String name = c.param("name");
        String key = c.param("key");
        requireRoleForTag(c, key, "setting");
        Body b = c.body().allow("value", "reason");
        String value = b.string("value");
        if (key.startsWith("gate.")) {
            Gates.parse(key.substring("gate.".length()) + value); // a gate that cannot be read would block every promotion
        }
        model(name);
        registry.setTag(name, key, value, c.principal().name(), b.optString("reason"));
        return Views.model(model(name));
    }

    /** Removes a model tag ({@code ?reason=}); the same role rule as setting it. */
    private Map<String, Object> removeModelTag(Call c) {
        String name = c.param("name");
        String key = c.param("key");
        requireRoleForTag(c, key, "removing");
        RegisteredModel m = model(name);
        if (!m.tags().containsKey(key)) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "model '" + name + "' has no tag '" + key + "'",
                    Map.of("model", name, "tag", key));
        }
        registry.setTag(name, key, null, c.principal().name(), c.query("reason"));
        return Views.model(model(name));
    }

    /** Tags that decide what a promotion must pass are the admins' to change, like the protected aliases they guard. */
    private static void requireRoleForTag(Call c, String key, String doing) {
        if (GoverningTags.governsPromotion(key) && !c.principal().role().includes(ADMIN)) {
            throw KilnException.answer(ErrorCode.FORBIDDEN, doing + " tag '" + key + "' needs the admin role: it governs promotion (token '"
                    + c.principal().name() + "' is " + c.principal().role().wireName() + ")",
                    Map.of("tag", key, "required_role", ADMIN.wireName(), "role", c.principal().role().wireName()));
        }
    }

    private Map<String, Object> setDescription(Call c) {
        String name = c.param("name");
        Body b = c.body().allow("description").require("description", "a string, or null to clear it");
        model(name);
        registry.setDescription(name, b.optString("description"), c.principal().name());
        return Views.model(model(name));
    }

    /** Through the gates when the alias is protected; {@code force} (admin only) needs a reason and is recorded. */
    private Map<String, Object> moveAlias(Call c) {
        String name = c.param("name");
        String alias = c.param("alias");
        Body b = c.body().allow("version", "reason", "force", "min_lift", "max_regression");
        int version = b.integer("version");
        if (version < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "field 'version' must be a positive integer", Map.of("field", "version"));
        }
        String reason = b.optString("reason");
        boolean force = b.optBoolean("force");
        if (force && !c.principal().role().includes(ADMIN)) {
            throw KilnException.answer(ErrorCode.FORBIDDEN, "forcing an alias past its gates needs the admin role (token '"
                    + c.principal().name() + "' is " + c.principal().role().wireName() + ")", Map.of("required_role", ADMIN.wireName()));
        }
        if (force && (reason == null || reason.isBlank())) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "\"force\": true needs a \"reason\": overriding the gates is recorded with its reason",
                    Map.of("field", "reason"));
        }
        Promotion.Policy defaults = Promotion.Policy.defaults();
        Double minLift = b.optNumber("min_lift");
        Double maxRegression = b.optNumber("max_regression");
        Promotion.Policy policy = new Promotion.Policy(defaults.thresholds(), minLift == null ? defaults.minLift() : minLift,
                maxRegression == null ? defaults.maxRegression() : maxRegression);
        Promotion.Outcome o = Promotion.moveAlias(registry, name, alias, version, policy, force, reason,
                c.principal().name());
        List<Map<String, Object>> checks = o.checks().stream().map(Api::check).toList();
        if (!o.moved()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("model", name);
            details.put("alias", alias);
            details.put("version", version);
            details.put("checks", checks);
            throw new KilnException(ErrorCode.GATE_FAILED, "refused to move " + name + "@" + alias + " to version " + version
                    + ": gates failed (" + o.checks().stream().filter(x -> !x.passed()).map(Gates.Check::name).collect(Collectors.joining(", "))
                    + "); an admin may override with {\"force\": true, \"reason\": \"...\"}", details);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("alias", alias);
        m.put("from", o.from());
        m.put("to", o.to());
        m.put("moved", o.moved());
        m.put("forced", o.forced());
        m.put("checks", checks);
        return m;
    }

    private Map<String, Object> removeAlias(Call c) {
        String name = c.param("name");
        String alias = c.param("alias");
        Integer from = model(name).aliases().get(alias);
        registry.removeAlias(name, alias, c.principal().name(), c.query("reason"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("alias", alias);
        m.put("removed", true);
        m.put("from", from);
        return m;
    }

    private static Map<String, Object> check(Gates.Check check) {
        return check.toDetails();
    }

    // ---------------------------------------------------------------- helpers

    private Run run(String id) {
        return tracking.run(id).orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND, "no run with id '" + id + "'",
                Map.of("run", id)));
    }

    private RegisteredModel model(String name) {
        return registry.model(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND, "no model named '" + name + "'",
                Map.of("model", name)));
    }
}
