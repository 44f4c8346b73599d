package dev.kiln.monitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The alert configuration: which rules to evaluate, over how much of the recent log ({@code window}), how often
 * inside the server ({@code every}), where to post alerts ({@code webhook}, whose host must be on
 * {@code allowed_hosts}) and whether an alert triggers a retrain ({@code retrain}). A JSON file:
 *
 * <pre>{@code
 * {
 *   "window": "24h",
 *   "every": "5m",
 *   "rules": [
 *     {"name": "inputs-shifted", "kind": "feature_psi", "threshold": 0.2},
 *     {"name": "auc-dropped",    "kind": "metric_drop", "metric": "roc_auc", "threshold": 0.05, "min_labelled": 50},
 *     {"name": "auc-estimate",   "kind": "estimated_metric_drop", "metric": "roc_auc", "threshold": 0.05, "min_rows": 200},
 *     {"name": "errors",         "kind": "error_rate", "threshold": 0.01, "severity": "critical"},
 *     {"name": "slow",           "kind": "latency_p99", "threshold": 50}
 *   ],
 *   "webhook": {"url": "https://hooks.example.com/kiln", "allowed_hosts": ["hooks.example.com"]},
 *   "retrain": {"on": ["auc-dropped"], "every": "30d", "data": "/data/credit-latest.csv"}
 * }
 * }</pre>
 *
 * A server watching several models gives each its own retrain data: {@code "data": {"credit": "/data/credit.csv",
 * "churn": "/data/churn.csv"}} (by registered model name); a model not named there is not retrained.
 *
 * Every problem in the file is reported with the JSON path of the field at fault.
 */
public record AlertRules(Duration window, Duration every, List<Rule> rules, Webhook webhook, RetrainPolicy retrain) {

    /** The kinds of rule and what their threshold means. */
    public enum Kind {
        /** Any feature's PSI (or the named {@code feature}'s) above the threshold (default 0.2). */
        FEATURE_PSI(0.2),
        /** At least {@code threshold} features (default 1) flagged as drifted by the drift test. */
        FEATURE_DRIFT(1),
        /** PSI of the model's output above the threshold (default 0.2). */
        PREDICTION_PSI(0.2),
        /** The labelled-feedback {@code metric} worse than the model's test metric by more than the threshold. */
        METRIC_DROP(0.05),
        /**
         * The {@code metric} (accuracy or roc_auc) estimated before labels from the calibrated probabilities (CBPE)
         * lower than the model's test metric by more than the threshold (default 0.05), over at least {@code min_rows}
         * predictions of the version serving.
         */
        ESTIMATED_METRIC_DROP(0.05),
        /** Failed requests over all requests above the threshold (default 0.01). */
        ERROR_RATE(0.01),
        /** 99th percentile of request latency above the threshold, in milliseconds (default 100). */
        LATENCY_P99(100);

        final double defaultThreshold;

        Kind(double defaultThreshold) {
            this.defaultThreshold = defaultThreshold;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind parse(String text, String path) {
            for (Kind k : values()) {
                if (k.wireName().equals(text)) {
                    return k;
                }
            }
            List<String> names = new ArrayList<>();
            for (Kind k : values()) {
                names.add(k.wireName());
            }
            throw invalid(path, "unknown rule kind '" + text + "'; expected one of " + names);
        }
    }

    public record Rule(String name, Kind kind, double threshold, String metric, String feature, String severity,
                       long minLabelled, long minRows) {
    }

    /** Where alerts are posted: {@code url}'s host must be one of {@code allowedHosts} (lower case, ASCII form). */
    public record Webhook(URI url, Set<String> allowedHosts) {
    }

    /**
     * Retrain the model on its data when one of the rules named in {@code on} opens an alert, and/or when its
     * newest registered version is older than {@code every} (null: no schedule). The data is either one file for the
     * one model these rules watch ({@code "data": "credit.csv"}: {@code data}, and {@code dataByModel} empty), or one
     * file per registered model ({@code "data": {"credit": "credit.csv", "churn": "churn.csv"}}: {@code data} null),
     * so that a server watching several models never retrains one from another's data.
     */
    public record RetrainPolicy(List<String> on, Path data, Duration every, Map<String, Path> dataByModel) {
        public RetrainPolicy {
            dataByModel = dataByModel == null ? Map.of() : Map.copyOf(dataByModel);
        }

        public RetrainPolicy(List<String> on, Path data, Duration every) {
            this(on, data, every, Map.of());
        }

        /** The data {@code model} is retrained from; null when the policy names none for it. */
        public Path dataFor(String model) {
            return data != null ? data : model == null ? null : dataByModel.get(model);
        }

        /** True when one file serves whichever model the rules watch (not per model). */
        public boolean oneFileForAnyModel() {
            return data != null;
        }
    }

    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    public static final Duration DEFAULT_EVERY = Duration.ofMinutes(5);
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    /** What {@link Kind#ESTIMATED_METRIC_DROP} can estimate before labels. */
    public static final List<String> ESTIMATED_METRICS = List.of("accuracy", "roc_auc");
    private static final Set<String> TOP = Set.of("window", "every", "rules", "webhook", "retrain");
    private static final Set<String> RULE_FIELDS = Set.of("name", "kind", "threshold", "metric", "feature", "severity",
            "min_labelled", "min_rows");

    /** The rules Kiln applies when no file is given: input drift, output drift, errors and latency. */
    public static AlertRules defaults() {
        return new AlertRules(DEFAULT_WINDOW, DEFAULT_EVERY, List.of(
                new Rule("feature-psi", Kind.FEATURE_PSI, 0.2, null, null, "warning", 0, 100),
                new Rule("prediction-psi", Kind.PREDICTION_PSI, 0.2, null, null, "warning", 0, 100),
                new Rule("metric-drop", Kind.METRIC_DROP, 0.05, null, null, "critical", 50, 0),
                new Rule("error-rate", Kind.ERROR_RATE, 0.01, null, null, "critical", 0, 100),
                new Rule("latency-p99", Kind.LATENCY_P99, 100, null, null, "warning", 0, 100)), null, null);
    }

    public static AlertRules load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "alert rules file not found: " + file, Map.of("file", file.toString()));
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read alert rules " + file + ": " + e.getMessage(),
                    Map.of("file", file.toString()), e);
        }
        try {
            return parse(text, file.toAbsolutePath().getParent());
        } catch (KilnException e) {
            throw new KilnException(e.code(), file + ": " + e.getMessage(), e.details(), e);
        }
    }

    /** Parses the JSON text; relative retrain data paths resolve against {@code baseDir}. */
    public static AlertRules parse(String json, Path baseDir) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw invalid("$", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw invalid("$", "must be a JSON object");
        }
        unknownFields(root, TOP, "$");
        Duration window = duration(root, "window", DEFAULT_WINDOW);
        Duration every = duration(root, "every", DEFAULT_EVERY);
        JsonNode rulesNode = root.get("rules");
        if (rulesNode == null || !rulesNode.isArray() || rulesNode.isEmpty()) {
            throw invalid("$.rules", "needs a non-empty array of rules");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rulesNode.size(); i++) {
            Rule r = rule(rulesNode.get(i), "$.rules[" + i + "]");
            if (!names.add(r.name())) {
                throw invalid("$.rules[" + i + "].name", "rule name '" + r.name() + "' is used twice");
            }
            rules.add(r);
        }
        Webhook webhook = root.has("webhook") ? webhook(root.get("webhook")) : null;
        RetrainPolicy retrain = root.has("retrain") ? retrain(root.get("retrain"), names, baseDir) : null;
        return new AlertRules(window, every, List.copyOf(rules), webhook, retrain);
    }

    private static Rule rule(JsonNode n, String path) {
        if (n == null || !n.isObject()) {
            throw invalid(path, "a rule must be an object");
        }
        unknownFields(n, RULE_FIELDS, path);
        Kind kind = Kind.parse(text(n, "kind", path, true), path + ".kind");
        String name = text(n, "name", path, false);
        if (name == null) {
            name = kind.wireName().replace('_', '-');
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw invalid(path + ".name", "'" + name + "' is not a rule name (letters, digits, '.', '_', '-')");
        }
        double threshold = kind.defaultThreshold;
        if (n.has("threshold")) {
            JsonNode t = n.get("threshold");
            if (!t.isNumber() || !Double.isFinite(t.asDouble()) || t.asDouble() < 0) {
                throw invalid(path + ".threshold", "must be a non-negative number, not " + t);
            }
            threshold = t.asDouble();
        }
        String metric = text(n, "metric", path, false);
        if (metric != null && kind != Kind.METRIC_DROP && kind != Kind.ESTIMATED_METRIC_DROP) {
            throw invalid(path + ".metric", "only metric_drop and estimated_metric_drop rules take a metric");
        }
        if (kind == Kind.ESTIMATED_METRIC_DROP && metric != null && !ESTIMATED_METRICS.contains(metric)) {
            throw invalid(path + ".metric", "estimated_metric_drop estimates " + ESTIMATED_METRICS + ", not '" + metric + "'");
        }
        String feature = text(n, "feature", path, false);
        if (feature != null && kind != Kind.FEATURE_PSI) {
            throw invalid(path + ".feature", "only feature_psi rules take a feature");
        }
        String severity = text(n, "severity", path, false);
        if (severity == null) {
            severity = kind == Kind.METRIC_DROP || kind == Kind.ERROR_RATE ? "critical" : "warning";
        } else if (!SEVERITIES.contains(severity)) {
            throw invalid(path + ".severity", "must be info, warning or critical, not '" + severity + "'");
        }
        long minLabelled = count(n, "min_labelled", path, kind == Kind.METRIC_DROP ? 50 : 0);
        long minRows = count(n, "min_rows", path, 100);
        return new Rule(name, kind, threshold, metric, feature, severity, minLabelled, minRows);
    }

    private static Webhook webhook(JsonNode n) {
        String path = "$.webhook";
        if (!n.isObject()) {
            throw invalid(path, "must be an object with url and allowed_hosts");
        }
        unknownFields(n, Set.of("url", "allowed_hosts"), path);
        JsonNode hostsNode = n.get("allowed_hosts");
        if (hostsNode == null || !hostsNode.isArray() || hostsNode.isEmpty()) {
            throw invalid(path + ".allowed_hosts", "needs the non-empty list of hosts webhooks may be posted to");
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (int i = 0; i < hostsNode.size(); i++) {
            JsonNode h = hostsNode.get(i);
            if (!h.isTextual() || h.asText().isBlank()) {
                throw invalid(path + ".allowed_hosts[" + i + "]", "must be a host name");
            }
            hosts.add(canonicalHost(h.asText(), path + ".allowed_hosts[" + i + "]"));
        }
        URI url = webhookUrl(text(n, "url", path, true), hosts, path + ".url");
        return new Webhook(url, Set.copyOf(hosts));
    }

    /**
     * Checks a webhook URL: absolute http(s), no user info, and a host — compared in canonical form (lower case,
     * IDN in ASCII, no trailing dot) — on the allow-list.
     */
    public static URI webhookUrl(String text, Set<String> allowedHosts, String path) {
        URI uri;
        try {
            uri = new URI(text.trim()).normalize();
        } catch (URISyntaxException e) {
            throw invalid(path, "'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw invalid(path, "webhooks must be http or https URLs, not '" + text + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(path, "a webhook URL must not carry user credentials");
        }
        if (uri.getHost() == null) {
            throw invalid(path, "'" + text + "' has no host");
        }
        String host = canonicalHost(uri.getHost(), path);
        if (!allowedHosts.contains(host)) {
            throw invalid(path, "webhook host '" + host + "' is not on allowed_hosts " + allowedHosts);
        }
        return uri;
    }

    static String canonicalHost(String host, String path) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            return h.toLowerCase(Locale.ROOT);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        try {
            return IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid(path, "'" + host + "' is not a host name");
        }
    }

    private static RetrainPolicy retrain(JsonNode n, Set<String> ruleNames, Path baseDir) {
        String path = "$.retrain";
        if (!n.isObject()) {
            throw invalid(path, "must be an object with on and data");
        }
        unknownFields(n, Set.of("on", "data", "every"), path);
        JsonNode on = n.get("on");
        Duration every = duration(n, "every", null, path + ".every");
        if (on == null && every == null) {
            throw invalid(path, "needs \"on\" (rules whose alerts trigger a retrain) or \"every\" (a schedule), or both");
        }
        if (on != null && (!on.isArray() || on.isEmpty())) {
            throw invalid(path + ".on", "needs the names of the rules whose alerts trigger a retrain");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; on != null && i < on.size(); i++) {
            String name = on.get(i).asText();
            if (!ruleNames.contains(name)) {
                throw invalid(path + ".on[" + i + "]", "no rule is named '" + name + "'");
            }
            names.add(name);
        }
        JsonNode data = n.get("data");
        if (data != null && data.isObject()) {
            if (data.isEmpty()) {
                throw invalid(path + ".data", "needs a file for at least one model, e.g. {\"credit\": \"credit.csv\"}");
            }
            Map<String, Path> byModel = new java.util.TreeMap<>();
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) data::fields) {
                byModel.put(e.getKey(), dataPath(text(data, e.getKey(), path + ".data", true), path + ".data." + e.getKey(), baseDir));
            }
            return new RetrainPolicy(List.copyOf(names), null, every, byModel);
        }
        return new RetrainPolicy(List.copyOf(names), dataPath(text(n, "data", path, true), path + ".data", baseDir), every);
    }

    private static Path dataPath(String data, String keyPath, Path baseDir) {
        Path p;
        try {
            p = Path.of(data);
        } catch (InvalidPathException e) {
            throw invalid(keyPath, "'" + data + "' is not a file path: " + e.getReason());
        }
        if (!p.isAbsolute() && baseDir != null) {
            p = baseDir.resolve(p);
        }
        return p.toAbsolutePath().normalize();
    }

    private static Duration duration(JsonNode root, String field, Duration dflt) {
        return duration(root, field, dflt, "$." + field);
    }

    private static Duration duration(JsonNode root, String field, Duration dflt, String path) {
        JsonNode n = root.get(field);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw invalid(path, "must be a duration such as \"30m\", \"24h\" or \"7d\"");
        }
        try {
            return LogWindow.parseDuration(n.asText(), path);
        } catch (KilnException e) {
            throw invalid(path, e.getMessage());
        }
    }

    private static String text(JsonNode n, String field, String path, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw invalid(path + "." + field, "is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw invalid(path + "." + field, "must be a non-empty string");
        }
        return v.asText().trim();
    }

    private static long count(JsonNode n, String field, String path, long dflt) {
        JsonNode v = n.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw invalid(path + "." + field, "must be a whole number ≥ 0, not " + v);
        }
        return v.asLong();
    }

    private static void unknownFields(JsonNode n, Set<String> known, String path) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw invalid(path + "." + f, "unknown field; expected one of " + new java.util.TreeSet<>(known));
            }
        }
    }

    static KilnException invalid(String path, String message) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "alert rules " + path + ": " + message, Map.of("field", path));
    }
}
