package dev.kiln.app.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kiln.app.pipeline.trigger.CronSchedule;
import dev.kiln.app.promotion.Gates;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.ModelRef;
import dev.kiln.train.TrainOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import dev.kiln.train.Tuning;
import dev.kiln.train.constraints.Constraints;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code kiln.yaml} into a {@link PipelineSpec}. Every mistake is an input error naming the file and the key
 * path; unknown keys are refused (with the nearest known key), so a typo never silently changes what runs. The YAML
 * front end builds plain trees only (no tags, no objects constructed from the file), and a file is at most 1 MiB.
 */
public final class PipelineFile {
    public static final String DEFAULT_NAME = "kiln.yaml";
    static final long MAX_BYTES = 1 << 20;
    static final Set<String> TOP = Set.of("name", "data", "query", "target", "train", "validate", "gates", "promote",
            "rollout", "monitor", "triggers", "description");
    static final Set<String> TRAIN = Set.of("task", "algorithms", "seed", "split", "time_column", "test_fraction",
            "validation_fraction", "exclude", "positive_class", "cost_fp", "cost_fn", "slice_by", "warm_start", "budget",
            "search_space", "group_column", "folds", "configurations", "max_latency_us", "max_bundle_kb", "max_train_seconds", "interpretable",
            "monotone");
    static final Set<String> VALIDATE = Set.of("block_on", "missing_rate_jump");
    static final Set<String> PROMOTE = Set.of("alias", "rollout");
    static final Set<String> ROLLOUT = Set.of("serve", "admin_token_file", "shadow_requests", "min_agreement",
            "min_labelled", "canary_steps", "canary_interval_seconds", "max_wait", "log_dir");
    static final Set<String> TRIGGERS = Set.of("data", "cron", "zone", "on_alerts", "poll");
    static final List<String> ROLLOUTS = List.of("direct", "shadow-canary", "none");
    static final String GATE_MAX_REGRESSION = "max_regression";
    static final String GATE_MIN_LIFT = "min_lift";

    private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private PipelineFile() {
    }

    public static PipelineSpec load(Path file) {
        Path f = file.toAbsolutePath().normalize();
        String text;
        try {
            if (Files.size(f) > MAX_BYTES) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, f + " is larger than 1 MiB; a pipeline file is a few "
                        + "dozen lines", Map.of("file", f.toString()));
            }
            text = Files.readString(f);
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "pipeline file not found: " + f
                    + " (write a starter with: kiln pipeline init --data PATH --target COLUMN)", Map.of("file", f.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + f + ": " + e.getMessage(),
                    Map.of("file", f.toString()), e);
        }
        return parse(text, f);
    }

    public static PipelineSpec parse(String text, Path file) {
        String name = file.getFileName() == null ? file.toString() : file.toString();
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            String first = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, name + ": not valid YAML: " + first, Map.of("file", name), e);
        }
        if (root == null || !root.isObject()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, name + ": must be a mapping with at least name, data "
                    + "and target", Map.of("file", name));
        }
        Path baseDir = file.toAbsolutePath().normalize().getParent();
        YamlFields top = new YamlFields(name, root, "");
        top.onlyKeys(TOP);
        String model = top.text("name", true);
        try {
            ModelRef.checkName(model, model);
        } catch (KilnException e) {
            throw top.error("name", e.getMessage());
        }
        String data = top.text("data", true);
        String query = top.text("query", false);
        if (data.startsWith("jdbc:") && query == null) {
            throw top.error("query", "is required when data is a jdbc: URL (the SQL that selects the rows)");
        }
        if (!data.startsWith("jdbc:") && query != null) {
            throw top.error("query", "is only for data given as a jdbc: URL");
        }
        String target = top.text("target", true);
        PipelineSpec.Promote promote = promote(top.section("promote"));
        PipelineSpec.Rollout rollout = rollout(top.section("rollout"), baseDir, top);
        if ("shadow-canary".equals(promote.rollout()) && rollout == null) {
            throw top.error("promote.rollout", "shadow-canary needs a rollout section naming the running kiln serve "
                    + "(rollout: {serve: http://127.0.0.1:8080, admin_token_file: admin.token})");
        }
        return new PipelineSpec(file.toAbsolutePath().normalize(), baseDir, model, data, query, target,
                train(top.section("train")), validate(top.section("validate")), gates(top.section("gates")),
                promote, rollout,
                monitor(root.get("monitor"), baseDir, top), triggers(top.section("triggers"), top), canonical(root));
    }

    private static PipelineSpec.Train train(YamlFields t) {
        if (t == null) {
            return new PipelineSpec.Train(null, null, null, null, null, null, null, null, null, null, null, null, false,
                    Tuning.DEFAULTS, Constraints.none());
        }
        t.onlyKeys(TRAIN);
        List<String> algorithms = t.names("algorithms");
        if (algorithms != null) {
            for (int i = 0; i < algorithms.size(); i++) {
                if (!TrainOptions.ALL_ALGORITHMS.contains(algorithms.get(i))) {
                    throw t.error("algorithms[" + i + "]", "unknown algorithm '" + algorithms.get(i) + "'; known: "
                            + String.join(", ", TrainOptions.ALL_ALGORITHMS));
                }
            }
        }
        Double fp = t.number("cost_fp", 0, Double.MAX_VALUE);
        Double fn = t.number("cost_fn", 0, Double.MAX_VALUE);
        if ((fp == null) != (fn == null)) {
            throw t.error(fp == null ? "cost_fp" : "cost_fn", "is required with " + (fp == null ? "cost_fn" : "cost_fp")
                    + " (a cost matrix needs both)");
        }
        Boolean warm = t.bool("warm_start");
        return new PipelineSpec.Train(t.choice("task", null, List.of("binary", "multiclass", "regression")), algorithms,
                t.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE), t.choice("split", null, List.of("random", "stratified", "time")),
                t.text("time_column", false), t.number("test_fraction", 0.01, 0.9),
                t.number("validation_fraction", 0.01, 0.9), t.names("exclude"), t.text("positive_class", false), fp, fn,
                t.names("slice_by"), warm != null && warm, tuning(t), constraints(t));
    }

    /** train.budget, search_space, group_column, folds: how candidates are searched and validated. */
    private static Tuning tuning(YamlFields t) {
        String budget = t.text("budget", false);
        java.time.Duration parsed = null;
        if (budget != null) {
            try {
                parsed = Tuning.parseBudget(budget, "budget");
            } catch (KilnException e) {
                throw t.error("budget", e.getMessage().substring(e.getMessage().indexOf(' ') + 1));
            }
        }
        Long folds = t.whole("folds", 2, 20);
        Long configurations = t.whole("configurations", 1, 10_000);
        return new Tuning(parsed, t.text("search_space", false), t.text("group_column", false),
                folds == null ? null : folds.intValue(), configurations == null ? null : configurations.intValue());
    }

    /** train.max_latency_us, max_bundle_kb, max_train_seconds, interpretable, monotone: what production asks. */
    private static Constraints constraints(YamlFields t) {
        Boolean interpretable = t.bool("interpretable");
        List<String> monotone = t.names("monotone");
        Double latency = t.number("max_latency_us", 1e-9, Double.MAX_VALUE);
        Double size = t.number("max_bundle_kb", 1e-9, Double.MAX_VALUE);
        Double seconds = t.number("max_train_seconds", 1e-9, Double.MAX_VALUE);
        try {
            return Constraints.of(latency, size, seconds, interpretable != null && interpretable,
                    monotone == null || monotone.isEmpty() ? null : monotone);
        } catch (KilnException e) {
            throw t.error("monotone", e.getMessage());
        }
    }

    private static PipelineSpec.Validate validate(YamlFields v) {
        if (v == null) {
            return new PipelineSpec.Validate("fail", 0.05);
        }
        v.onlyKeys(VALIDATE);
        Double jump = v.number("missing_rate_jump", 0, 1);
        return new PipelineSpec.Validate(v.choice("block_on", "fail", List.of("fail", "warn", "never")),
                jump == null ? 0.05 : jump);
    }

    private static PipelineSpec.Gate gates(YamlFields g) {
        if (g == null) {
            return new PipelineSpec.Gate(List.of(), 0.02, 0.0);
        }
        List<Gates.Threshold> thresholds = new ArrayList<>();
        double maxRegression = 0.02;
        double minLift = 0.0;
        Iterator<Map.Entry<String, JsonNode>> fields = g.rawFields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (key.equals(GATE_MAX_REGRESSION)) {
                maxRegression = g.number(key, 0, Double.MAX_VALUE);
            } else if (key.equals(GATE_MIN_LIFT)) {
                minLift = g.number(key, 0, Double.MAX_VALUE);
            } else {
                String rule = g.text(key, true);
                try {
                    thresholds.add(Gates.parse(key + rule));
                } catch (KilnException e) {
                    throw g.error(key, "'" + rule + "' is not a rule such as \">= 0.70\" or \"<= 700\"");
                }
            }
        }
        return new PipelineSpec.Gate(List.copyOf(thresholds), maxRegression, minLift);
    }

    private static PipelineSpec.Promote promote(YamlFields p) {
        if (p == null) {
            return new PipelineSpec.Promote("production", "direct");
        }
        p.onlyKeys(PROMOTE);
        String alias = p.text("alias", false);
        if (alias != null && !alias.matches("[a-z][a-z0-9_-]{0,62}")) {
            throw p.error("alias", "'" + alias + "' is not an alias (lower-case letters, digits, '_' and '-')");
        }
        return new PipelineSpec.Promote(alias == null ? "production" : alias, p.choice("rollout", "direct", ROLLOUTS));
    }

    private static PipelineSpec.Rollout rollout(YamlFields r, Path baseDir, YamlFields top) {
        if (r == null) {
            return null;
        }
        r.onlyKeys(ROLLOUT);
        String serve = r.text("serve", true);
        if (!serve.matches("https?://[^\\s/]+(/.*)?")) {
            throw r.error("serve", "must be the http(s) URL of a running kiln serve, e.g. http://127.0.0.1:8080");
        }
        String token = r.text("admin_token_file", false);
        Long shadow = r.whole("shadow_requests", 1, 10_000_000);
        Double agreement = r.number("min_agreement", 0, 1);
        Long minLabelled = r.whole("min_labelled", 0, 10_000_000);
        List<Integer> steps = r.wholes("canary_steps", 1, 100);
        if (steps != null) {
            for (int i = 1; i < steps.size(); i++) {
                if (steps.get(i) <= steps.get(i - 1)) {
                    throw r.error("canary_steps[" + i + "]", "steps must increase, e.g. [10, 50, 100]");
                }
            }
        }
        Long interval = r.whole("canary_interval_seconds", 1, 86_400);
        String maxWait = r.text("max_wait", false);
        String logDir = r.text("log_dir", false);
        return new PipelineSpec.Rollout(serve.replaceAll("/+$", ""), token == null ? null : baseDir.resolve(token).normalize(),
                shadow == null ? 200 : shadow.intValue(), agreement == null ? 0.0 : agreement,
                minLabelled == null ? 0 : minLabelled.intValue(),
                steps == null ? List.of(10, 50, 100) : steps, interval == null ? 60 : interval.intValue(),
                maxWait == null ? Duration.ofMinutes(30) : duration(r, "max_wait", maxWait),
                logDir == null ? null : baseDir.resolve(logDir).normalize());
    }

    private static AlertRules monitor(JsonNode n, Path baseDir, YamlFields top) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw top.error("monitor", "must be a mapping (the alert rules: window, every, rules, webhook, retrain)");
        }
        if (n.has("retrain")) {
            throw top.error("monitor.retrain", "the pipeline retrains: name the rules whose alerts start a run in "
                    + "triggers.on_alerts instead of a retrain policy");
        }
        try {
            return AlertRules.parse(Json.mapper().writeValueAsString(n), baseDir);
        } catch (KilnException e) {
            String field = e.details() == null ? null : String.valueOf(e.details().get("field"));
            String key = field == null || "null".equals(field) ? "monitor" : field.replaceFirst("^\\$", "monitor");
            String message = e.getMessage().replaceFirst("^alert rules \\S+: ", "");
            throw top.error(key.equals("monitor") ? "monitor" : key, message);
        } catch (IOException e) {
            throw top.error("monitor", "cannot be read: " + e.getMessage());
        }
    }

    private static PipelineSpec.Triggers triggers(YamlFields t, YamlFields top) {
        if (t == null) {
            return new PipelineSpec.Triggers(true, null, null, List.of(), Duration.ofSeconds(10));
        }
        t.onlyKeys(TRIGGERS);
        Boolean data = t.bool("data");
        String zone = t.text("zone", false);
        if (zone != null) {
            try {
                ZoneId.of(zone);
            } catch (RuntimeException e) {
                throw t.error("zone", "'" + zone + "' is not a time zone such as UTC or Europe/Paris");
            }
        }
        String cron = t.text("cron", false);
        if (cron != null) {
            try {
                CronSchedule.parse(cron);
            } catch (KilnException e) {
                throw t.error("cron", e.getMessage());
            }
        }
        String poll = t.text("poll", false);
        List<String> alerts = t.names("on_alerts");
        return new PipelineSpec.Triggers(data == null || data, cron, zone, alerts == null ? List.of() : alerts,
                poll == null ? Duration.ofSeconds(10) : duration(t, "poll", poll));
    }

    private static Duration duration(YamlFields f, String key, String text) {
        try {
            return LogWindow.parseDuration(text, key);
        } catch (KilnException e) {
            throw f.error(key, "'" + text + "' is not a duration such as 30s, 10m, 24h or 7d");
        }
    }

    private static Map<String, Object> canonical(JsonNode root) {
        return Json.mapper().convertValue(root, new TypeReference<LinkedHashMap<String, Object>>() { });
    }
}
