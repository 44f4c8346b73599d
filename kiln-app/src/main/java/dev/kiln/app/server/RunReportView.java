package dev.kiln.app.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run's stored report ({@code leaderboard.json}: the TrainingReport without its profile, and
 * {@code profile.json}) in the API's wire form for the run page: snake_case fields, numbers that are not finite as
 * null, and for each section that has no data a reason in {@code absent} (an older report without a field, a task it
 * does not apply to). Written from the JSON trees, not the Java records, so a report of any Kiln version reads.
 */
final class RunReportView {
    private RunReportView() {
    }

    /** The report's sections; {@code children} maps a candidate's algorithm to its child run id. */
    static Map<String, Object> of(JsonNode report, JsonNode profile, Map<String, String> children) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, String> absent = new LinkedHashMap<>();
        String task = text(report, "task");
        task = task == null ? null : task.toLowerCase(Locale.ROOT);
        m.put("task", task);
        m.put("target", text(report, "target"));
        m.put("classes", strings(report.get("classes")));
        m.put("positive_class", text(report, "positiveClass"));
        m.put("selection_metric", text(report, "selectionMetric"));
        m.put("chosen", text(report, "chosen"));
        m.put("split", text(report, "split"));
        m.put("rows", count(report.get("rows")));
        Map<String, Object> splitRows = new LinkedHashMap<>();
        splitRows.put("train", count(report.get("trainRows")));
        splitRows.put("validation", count(report.get("validationRows")));
        splitRows.put("test", count(report.get("testRows")));
        m.put("split_rows", splitRows);
        m.put("notes", strings(report.get("notes")));
        m.put("leaderboard", leaderboard(report.get("leaderboard"), children));

        JsonNode confusion = report.get("confusionMatrix");
        if (present(confusion)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("labels", strings(report.get("classes")));
            c.put("counts", Json.mapper().convertValue(confusion, List.class));
            m.put("confusion_matrix", c);
        } else {
            m.put("confusion_matrix", null);
            absent.put("confusion_matrix", "regression".equals(task) ? "a regression model has no confusion matrix"
                    : "the report has no confusion matrix (no test rows)");
        }

        m.put("business", present(report.get("business")) ? snakeNumbers(report.get("business")) : null);
        if (m.get("business") == null) {
            absent.put("business", "binary".equals(task) ? "trained without a cost matrix (--cost-fp/--cost-fn)"
                    : "the cost view is for binary tasks");
        }

        m.put("curves", curves(report.get("curves")));
        if (m.get("curves") == null) {
            absent.put("curves", !"binary".equals(task) ? "ROC and PR curves are drawn for binary tasks; this is " + task
                    : report.has("curves") ? "the test rows hold one class only: no curve is defined"
                    : "this report was written before Kiln recorded curves: train again to see them");
        }

        JsonNode slices = report.get("slices");
        m.put("slices", present(slices) && slices.size() > 0 ? slices(slices) : null);
        if (m.get("slices") == null) {
            absent.put("slices", "trained without --slice-by: no groups of rows were compared");
        }

        m.put("feature_importance", importance(report.get("featureImportance")));
        if (m.get("feature_importance") == null) {
            absent.put("feature_importance", report.has("featureImportance")
                    ? "the chosen model could not be explained (or there were no validation rows)"
                    : "this report was written before Kiln recorded what drives the model: train again, or see the model card");
        }

        m.put("profile", profile == null ? null : profile(profile));
        if (profile == null) {
            absent.put("profile", "the run has no profile.json artifact");
        }
        m.put("validation", validation(report.get("validation")));
        m.put("search", search(report.get("search")));
        m.put("calibration", present(report.get("calibration"))
                ? Json.mapper().convertValue(report.get("calibration"), Map.class) : null);
        if (!present(report.get("calibration"))) {
            absent.put("calibration", !"regression".equals(task) && !report.has("validation")
                    ? "trained before Kiln calibrated the probabilities it serves" : "regression".equals(task)
                    ? "a regression model has no probabilities to calibrate" : "the chosen model is not calibrated");
        }
        if (!present(report.get("validation"))) {
            absent.put("validation", "trained before Kiln searched and cross-validated its candidates");
        }
        m.put("absent", absent);
        return m;
    }

    private static Map<String, Object> validation(JsonNode v) {
        if (!present(v)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", text(v, "kind"));
        m.put("folds", count(v.get("folds")));
        m.put("description", text(v, "description"));
        m.put("rows_validated", count(v.get("rowsValidated")));
        m.put("notes", strings(v.get("notes")));
        return m;
    }

    /** Each algorithm's search in brief; its trials are the child runs of the candidate's run. */
    private static List<Map<String, Object>> search(JsonNode searches) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!present(searches)) {
            return out;
        }
        for (JsonNode s : searches) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("algorithm", text(s, "algorithm"));
            m.put("metric", text(s, "metric"));
            m.put("budget_seconds", number(s.get("budgetSeconds")));
            m.put("seconds", number(s.get("seconds")));
            JsonNode trials = s.get("trials");
            m.put("trials", present(trials) ? trials.size() : 0);
            java.util.Set<Integer> configs = new java.util.HashSet<>();
            java.util.List<Map<String, Object>> points = new ArrayList<>();
            if (present(trials)) {
                for (JsonNode t : trials) {
                    configs.add(t.path("id").asInt());
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("id", t.path("id").asInt());
                    p.put("rung", t.path("rung").asInt());
                    p.put("score", number(t.get("meanScore")));
                    p.put("status", text(t, "status"));
                    points.add(p);
                }
            }
            m.put("configurations", configs.size());
            m.put("points", points);
            m.put("best_score", number(s.get("bestScore")));
            m.put("refit_config", present(s.get("refitConfig")) ? Json.mapper().convertValue(s.get("refitConfig"), Map.class) : Map.of());
            m.put("notes", strings(s.get("notes")));
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> leaderboard(JsonNode board, Map<String, String> children) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!present(board)) {
            return out;
        }
        for (JsonNode c : board) {
            Map<String, Object> m = new LinkedHashMap<>();
            String algorithm = text(c, "algorithm");
            m.put("algorithm", algorithm);
            m.put("chosen", c.path("chosen").asBoolean(false));
            m.put("run_id", children.get(algorithm));
            m.put("validation_metrics", numbers(c.get("validationMetrics")));
            m.put("test_metrics", numbers(c.get("testMetrics")));
            m.put("train_seconds", number(c.get("trainSeconds")));
            m.put("latency_p50_us", number(c.get("latencyP50Micros")));
            m.put("latency_p99_us", number(c.get("latencyP99Micros")));
            m.put("bundle_bytes", count(c.get("bundleBytes")));
            m.put("hyperparameters", present(c.get("hyperparameters"))
                    ? Json.mapper().convertValue(c.get("hyperparameters"), Map.class) : Map.of());
            m.put("pareto_front", c.has("paretoFront") ? c.get("paretoFront").asBoolean() : null);
            m.put("interpretable", c.has("interpretable") ? c.get("interpretable").asBoolean() : null);
            m.put("violations", strings(c.get("violations")));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> curves(JsonNode c) {
        if (!present(c)) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", count(c.get("rows")));
        m.put("positives", count(c.get("positives")));
        JsonNode roc = c.path("roc");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("auc", number(roc.get("auc")));
        r.put("fpr", list(roc.get("fpr")));
        r.put("tpr", list(roc.get("tpr")));
        r.put("thresholds", list(roc.get("thresholds")));
        m.put("roc", r);
        JsonNode pr = c.path("pr");
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("average_precision", number(pr.get("averagePrecision")));
        p.put("recall", list(pr.get("recall")));
        p.put("precision", list(pr.get("precision")));
        p.put("thresholds", list(pr.get("thresholds")));
        m.put("pr", p);
        List<Map<String, Object>> bins = new ArrayList<>();
        for (JsonNode b : c.path("calibration")) {
            Map<String, Object> bin = new LinkedHashMap<>();
            bin.put("lower", number(b.get("lower")));
            bin.put("upper", number(b.get("upper")));
            bin.put("rows", count(b.get("rows")));
            bin.put("mean_predicted", number(b.get("meanPredicted")));
            bin.put("observed_rate", number(b.get("observedRate")));
            bin.put("observed_interval", list(b.get("observedInterval")));
            bins.add(bin);
        }
        m.put("calibration", bins);
        return m;
    }

    private static List<Map<String, Object>> slices(JsonNode slices) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode s : slices) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("column", text(s, "column"));
            m.put("grouping", text(s, "grouping"));
            List<Map<String, Object>> groups = new ArrayList<>();
            for (JsonNode g : s.path("groups")) {
                Map<String, Object> group = new LinkedHashMap<>();
                group.put("value", text(g, "value"));
                group.put("rows", count(g.get("rows")));
                group.put("metrics", numbers(g.get("metrics")));
                // Reports before the groups' Wilson intervals have none: an empty map, each rate shown without one.
                group.put("intervals", lists(g.get("intervals")));
                groups.add(group);
            }
            m.put("groups", groups);
            m.put("gaps", numbers(s.get("gaps")));
            m.put("gap_intervals", lists(s.get("gapIntervals")));
            m.put("notes", strings(s.get("notes")));
            out.add(m);
        }
        return out;
    }

    /** {@code {space, rows, columns: [{column, importance}]}}, largest first (the manifest's JSON orders keys by name). */
    private static Map<String, Object> importance(JsonNode fi) {
        if (!present(fi) || !fi.path("columns").isObject()) {
            return null;
        }
        List<Map<String, Object>> columns = new ArrayList<>();
        fi.get("columns").fields().forEachRemaining(e -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("column", e.getKey());
            c.put("importance", number(e.getValue()));
            columns.add(c);
        });
        columns.sort(Comparator.comparing((Map<String, Object> c) -> c.get("importance") == null ? -1.0 : (Double) c.get("importance"))
                .reversed());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("space", text(fi, "space"));
        m.put("rows", count(fi.get("rows")));
        m.put("columns", columns);
        return m;
    }

    private static Map<String, Object> profile(JsonNode p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", text(p, "source"));
        m.put("sha256", text(p, "sha256"));
        m.put("rows", count(p.get("rows")));
        List<Map<String, Object>> columns = new ArrayList<>();
        for (JsonNode c : p.path("columns")) {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("name", text(c, "name"));
            col.put("type", text(c, "type"));
            Long present = count(c.get("count"));
            Long missing = count(c.get("missing"));
            col.put("count", present);
            col.put("missing", missing);
            col.put("missing_rate", present == null || missing == null || present + missing == 0 ? null
                    : (double) missing / (present + missing));
            col.put("distinct", count(c.get("distinct")));
            for (String k : List.of("min", "max", "mean", "std")) {
                col.put(k, number(c.get(k)));
            }
            col.put("quantiles", numbers(c.get("quantiles")));
            JsonNode h = c.get("histogram");
            if (present(h)) {
                Map<String, Object> hist = new LinkedHashMap<>();
                hist.put("edges", list(h.get("edges")));
                hist.put("counts", counts(h.get("counts")));
                col.put("histogram", hist);
            } else {
                col.put("histogram", null);
            }
            List<Map<String, Object>> top = new ArrayList<>();
            for (JsonNode t : c.path("topCategories")) {
                Map<String, Object> cat = new LinkedHashMap<>();
                cat.put("value", text(t, "value"));
                cat.put("count", count(t.get("count")));
                cat.put("fraction", number(t.get("fraction")));
                top.add(cat);
            }
            col.put("top_categories", top);
            columns.add(col);
        }
        m.put("columns", columns);
        return m;
    }

    // ---------------------------------------------------------------- JSON helpers

    static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return present(v) ? v.asText() : null;
    }

    /** A finite number, or null (missing, null, or NaN/Infinity, which Kiln's JSON writes as strings). */
    static Double number(JsonNode n) {
        if (!present(n)) {
            return null;
        }
        double v = n.isNumber() ? n.asDouble() : n.isTextual() ? parse(n.asText()) : Double.NaN;
        return Double.isFinite(v) ? v : null;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A whole number (rows, bytes, counts), or null. */
    static Long count(JsonNode n) {
        Double v = number(n);
        return v == null ? null : Math.round(v);
    }

    private static List<Long> counts(JsonNode n) {
        List<Long> out = new ArrayList<>();
        if (present(n)) {
            n.forEach(v -> out.add(count(v)));
        }
        return out;
    }

    private static List<Double> list(JsonNode n) {
        List<Double> out = new ArrayList<>();
        if (present(n)) {
            n.forEach(v -> out.add(number(v)));
        }
        return out;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (present(n)) {
            n.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static Map<String, Double> numbers(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (present(n)) {
            n.fields().forEachRemaining(e -> out.put(e.getKey(), number(e.getValue())));
        }
        return out;
    }

    private static Map<String, List<Double>> lists(JsonNode n) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        if (present(n)) {
            n.fields().forEachRemaining(e -> out.put(e.getKey(), list(e.getValue())));
        }
        return out;
    }

    /** A flat object of numbers with its camelCase keys in snake_case (the business view). */
    private static Map<String, Double> snakeNumbers(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(snake(e.getKey()), number(e.getValue())));
        return out;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([0-9]+)", "_$1").replace("__", "_").toLowerCase(Locale.ROOT);
    }
}
