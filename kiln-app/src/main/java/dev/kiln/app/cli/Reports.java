package dev.kiln.app.cli;

import dev.kiln.app.promotion.Gates;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.train.TrainingReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders profiles and training reports for people (tables) and machines (JSON). */
final class Reports {
    private Reports() {
    }

    /** Kiln's JSON settings plus ISO-8601 times for the store's records. */
    private static final com.fasterxml.jackson.databind.ObjectMapper OUTPUT = Json.mapper().copy()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** {@code value} as the JSON object {@link #json} would print, to add fields to. */
    static Map<String, Object> asMap(Object value) {
        return new java.util.LinkedHashMap<>(OUTPUT.convertValue(value,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
    }

    /** One line of JSON (for event streams). */
    static String compact(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new dev.kiln.runtime.KilnException(dev.kiln.runtime.ErrorCode.INTERNAL, "cannot write JSON: " + e.getOriginalMessage());
        }
    }

    static void json(PrintWriter out, Object value) {
        try {
            out.println(OUTPUT.writeValueAsString(value));
        } catch (Exception e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write JSON: " + e.getMessage());
        }
    }

    static String profile(DatasetProfile p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.source()).append(": ").append(p.rows()).append(" rows x ").append(p.columns().size())
                .append(" columns, sha256 ").append(p.sha256() == null ? "-" : p.sha256().substring(0, 12)).append('\n');
        Table t = new Table("column", "type", "missing", "distinct", "min", "mean", "std", "max", "top values");
        for (ColumnProfile c : p.columns()) {
            // A boolean column shows its answers in its file's words (yes 96%, no 4%), not the 0/1 figures behind them.
            String top = c.topCategories() == null ? "" : c.topCategories().stream().limit(3)
                    .map(k -> k.value() + " " + Math.round(k.fraction() * 100) + "%").collect(Collectors.joining(", "));
            boolean numeric = c.mean() != null && !c.type().equals("datetime") && !c.type().equals("boolean");
            t.row(c.name(), c.type(), c.missing(), c.distinct(),
                    numeric ? Table.num(c.min(), 2) : datetime(c, c.min()),
                    numeric ? Table.num(c.mean(), 2) : "",
                    numeric ? Table.num(c.std(), 2) : "",
                    numeric ? Table.num(c.max(), 2) : datetime(c, c.max()),
                    top);
        }
        sb.append(t.render());
        return sb.toString();
    }

    private static String datetime(ColumnProfile c, Double millis) {
        if (!c.type().equals("datetime") || millis == null) {
            return "";
        }
        return java.time.Instant.ofEpochMilli(millis.longValue()).toString().replace("T00:00:00Z", "");
    }

    /** The leaderboard: every candidate against the baseline, validation and test metrics, cost and speed. */
    static String leaderboard(TrainingReport r) {
        List<String> metrics = switch (r.task()) {
            case BINARY -> List.of("roc_auc", "pr_auc", "log_loss", "f1", "accuracy");
            case MULTICLASS -> List.of("log_loss", "accuracy", "f1_macro", "f1_weighted");
            case REGRESSION -> List.of("rmse", "mae", "r2");
        };
        String[] header = new String[4 + metrics.size() + 5];
        int h = 0;
        header[h++] = "";
        header[h++] = "algorithm";
        header[h++] = "valid " + r.selectionMetric();
        for (String m : metrics) {
            header[h++] = "test " + m;
        }
        header[h++] = "vs baseline";
        header[h++] = "train s";
        header[h++] = "p50 us";
        header[h++] = "p99 us";
        header[h++] = "size KB";
        header[h] = "front";
        Table t = new Table(header);
        TrainingReport.Candidate baseline = r.leaderboard().stream().filter(c -> c.algorithm().equals("baseline")).findFirst().orElse(null);
        String key = r.selectionMetric();
        for (TrainingReport.Candidate c : r.leaderboard()) {
            Object[] row = new Object[header.length];
            int i = 0;
            row[i++] = c.chosen() ? "*" : "";
            row[i++] = c.algorithm();
            row[i++] = Table.num(c.validationMetrics().get(key), 4);
            for (String m : metrics) {
                row[i++] = Table.num(c.testMetrics().get(m), 4);
            }
            row[i++] = baseline == null || c == baseline ? "" : lift(c.testMetrics().get(key), baseline.testMetrics().get(key));
            row[i++] = Table.num(c.trainSeconds(), 2);
            row[i++] = Table.num(c.latencyP50Micros(), 1);
            row[i++] = Table.num(c.latencyP99Micros(), 1);
            row[i++] = Table.num(c.bundleBytes() / 1024.0, 1);
            row[i] = c.paretoFront() ? "yes" : "";
            t.row(row);
        }
        StringBuilder out = new StringBuilder(t.render());
        for (TrainingReport.Candidate c : r.leaderboard()) {
            if (c.violations() != null && !c.violations().isEmpty()) {
                out.append("  ").append(c.algorithm()).append(" breaks: ").append(String.join("; ", c.violations())).append('\n');
            }
        }
        out.append("  front: on the Pareto front of validation ").append(key).append(", p99 latency and size\n");
        return out.toString();
    }

    /** One line per searched algorithm: trials, time, the best configuration; then the calibration chosen. */
    static String search(TrainingReport r) {
        StringBuilder sb = new StringBuilder();
        if (r.search() != null) {
            for (TrainingReport.Search s : r.search()) {
                if (s.trials().size() <= 1 && s.bestConfig().isEmpty()) {
                    continue;
                }
                long configs = s.trials().stream().map(dev.kiln.train.search.Trial::id).distinct().count();
                String budget = s.budgetSeconds() == null ? "no time budget: --configurations"
                        : String.format(java.util.Locale.ROOT, "budget %.1f s", s.budgetSeconds());
                sb.append(String.format(java.util.Locale.ROOT, "search %s: %d configurations, %d trials in %.1f s (%s); best %s %.4f: %s%n",
                        s.algorithm(), configs, s.trials().size(), s.seconds(), budget, s.metric(), s.bestScore(),
                        s.refitConfig()));
                for (String note : s.notes()) {
                    sb.append("  note: ").append(note).append('\n');
                }
            }
        }
        var c = r.calibration();
        if (c != null) {
            sb.append(String.format(java.util.Locale.ROOT, "calibration: %s on %d out-of-fold rows; expected calibration error %.4f -> %.4f%n",
                    c.applied() ? c.method() : "none (the raw probabilities were best)", c.rows(), c.eceBefore(), c.eceAfter()));
        }
        return sb.toString();
    }

    private static String lift(Double value, Double base) {
        if (value == null || base == null || value.isNaN() || base.isNaN()) {
            return "";
        }
        double d = value - base;
        return (d >= 0 ? "+" : "") + Table.num(d, 4);
    }

    static String confusion(TrainingReport r) {
        if (r.confusionMatrix() == null) {
            return "";
        }
        String[] header = new String[r.classes().size() + 1];
        header[0] = "true \\ predicted";
        for (int k = 0; k < r.classes().size(); k++) {
            header[k + 1] = r.classes().get(k);
        }
        Table t = new Table(header);
        for (int k = 0; k < r.classes().size(); k++) {
            Object[] row = new Object[header.length];
            row[0] = r.classes().get(k);
            for (int j = 0; j < r.classes().size(); j++) {
                row[j + 1] = r.confusionMatrix()[k][j];
            }
            t.row(row);
        }
        return t.render();
    }

    static String summary(TrainingReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("task ").append(r.task().wireName()).append(" on '").append(r.target()).append("'");
        if (r.positiveClass() != null) {
            sb.append(" (positive class '").append(r.positiveClass()).append("')");
        }
        sb.append("; split ").append(r.split()).append(": ").append(r.trainRows()).append(" training rows, ")
                .append(r.testRows()).append(" test rows\n");
        if (r.validation() != null) {
            sb.append("validation: ").append(r.validation().description()).append(" (")
                    .append(r.validation().rowsValidated()).append(" rows scored out of fold)\n");
            for (String note : r.validation().notes()) {
                sb.append("note: ").append(note).append('\n');
            }
        }
        for (String note : r.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    /**
     * The {@code n} columns that moved the first output most, each with the row's value and its share of the margin:
     * "why" for a person reading one decision (for a binary model, towards the positive class).
     */
    static String reasons(dev.kiln.runtime.Explanation e, Map<String, ?> row, int n) {
        return reasons(e, row, n, "");
    }

    /** As {@link #reasons(dev.kiln.runtime.Explanation, Map, int)}, every line after {@code indent}. */
    static String reasons(dev.kiln.runtime.Explanation e, Map<String, ?> row, int n, String indent) {
        StringBuilder b = new StringBuilder(indent);
        b.append(String.format(java.util.Locale.ROOT, "why (%s of '%s', base %.3f over the training rows; + pushes towards '%s'):%n",
                e.space().replace('_', '-'), e.outputs().get(0), e.base(), e.outputs().get(0)));
        for (Map.Entry<String, Double> c : e.top(n)) {
            b.append(indent).append(String.format(java.util.Locale.ROOT, "  %-28s %+.3f%n", c.getKey() + " = " + row.get(c.getKey()),
                    c.getValue()));
        }
        return b.toString();
    }

    /**
     * The chosen model on each group of every --slice-by column (test rows), with the gaps between the groups. Binary:
     * rows, actual and predicted positive rates, accuracy, TPR, FPR; other tasks: their slice metrics.
     */
    static String slices(TrainingReport r) {
        return r.slices() == null ? "" : slices(r.slices(), r.task(), r.positiveClass(),
                r.task() == dev.kiln.runtime.Task.BINARY ? "test rows, at the model's decision threshold" : "test rows");
    }

    /** Slices of any rows ({@code rows} says which), as {@link #slices(TrainingReport)} prints them. */
    static String slices(List<dev.kiln.train.eval.Slices.Column> slices, dev.kiln.runtime.Task task, String positiveClass,
                         String rows) {
        StringBuilder b = new StringBuilder();
        String positive = positiveClass == null ? "positive" : positiveClass;
        for (dev.kiln.train.eval.Slices.Column c : slices) {
            b.append("by ").append(c.column()).append(" (").append(c.grouping()).append("), ").append(rows).append(":\n");
            List<String> metrics = c.groups().isEmpty() ? List.of() : List.copyOf(c.groups().get(0).metrics().keySet());
            List<String> header = new java.util.ArrayList<>(List.of("group", "rows"));
            for (String m : metrics) {
                header.add(sliceMetricName(m, positive));
            }
            Table t = new Table(header.toArray(String[]::new));
            for (dev.kiln.train.eval.Slices.Group g : c.groups()) {
                List<Object> row = new java.util.ArrayList<>(List.of(g.value(), g.rows()));
                for (String m : metrics) {
                    row.add(Table.num(g.metrics().get(m), 3));
                }
                t.row(row.toArray());
            }
            b.append(t.render());
            if (!c.gaps().isEmpty()) {
                b.append("  gaps [95% bootstrap interval]: ").append(c.gaps().entrySet().stream()
                        .map(e -> e.getKey() + " " + Table.num(e.getValue(), 3) + interval(c.gapIntervals().get(e.getKey())))
                        .collect(Collectors.joining(", "))).append('\n');
            }
            for (String note : c.notes()) {
                b.append("  note: ").append(note).append('\n');
            }
        }
        return b.toString();
    }

    /** " [lo, hi]" for a gap's interval (numbers, or the manifest's "NaN" strings); empty without one. */
    static String interval(List<?> bounds) {
        if (bounds == null || bounds.size() != 2) {
            return "";
        }
        return " [" + bound(bounds.get(0)) + ", " + bound(bounds.get(1)) + "]";
    }

    private static String bound(Object v) {
        return v instanceof Number n ? Table.num(n.doubleValue(), 3) : String.valueOf(v);
    }

    /** A slice metric's column heading: the binary rates name the positive class. */
    static String sliceMetricName(String metric, String positive) {
        return switch (metric) {
            case "positive_rate" -> "actual '" + positive + "'";
            case "predicted_positive_rate" -> "predicted '" + positive + "'";
            default -> metric;
        };
    }

    static String business(TrainingReport r) {
        TrainingReport.Business b = r.business();
        if (b == null) {
            return "";
        }
        return String.format(java.util.Locale.ROOT,
                "Business view (cost of a false '%s' prediction = %s, of a missed '%s' = %s):%n"
                        + "  cost-minimising threshold on validation rows: P(%s) >= %.3f%n"
                        + "  expected cost per 1,000 applicants on test rows: %.0f with %s at that threshold"
                        + " (%.0f at the default 0.5)%n"
                        + "  baseline (class priors, at its best threshold %.3f): %.0f per 1,000 -> saving %.0f per 1,000%n",
                r.positiveClass(), trim(b.falsePositiveCost()), r.positiveClass(), trim(b.falseNegativeCost()),
                r.positiveClass(), b.threshold(), b.costPer1000(), r.chosen(), b.costPer1000AtHalf(),
                b.baselineThreshold(),
                b.baselineCostPer1000(), b.baselineCostPer1000() - b.costPer1000());
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The gates' checks of a promotion, one row each: the candidate's figure and the holder's on the same rows. */
    static String gates(List<Gates.Check> checks) {
        Table t = new Table("check", "value", "holder", "required", "result");
        for (Gates.Check c : checks) {
            t.row(c.name(), c.value() == null ? "-" : Table.num(c.value(), 4),
                    c.holderValue() == null ? "-" : Table.num(c.holderValue(), 4), c.requirement(), c.passed() ? "pass" : "FAIL");
        }
        return t.render();
    }
}
