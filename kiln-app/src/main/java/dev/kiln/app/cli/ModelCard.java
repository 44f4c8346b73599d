package dev.kiln.app.cli;

import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A Markdown model card built from the registry and the bundle's own manifest and reference profile. */
final class ModelCard {
    private ModelCard() {
    }

    /** The "Slices and fairness" section from the manifest's {@code extra.slices} (empty when training sliced nothing). */
    @SuppressWarnings("unchecked")
    private static String slices(BundleManifest m) {
        StringBuilder sb = new StringBuilder();
        if (m.extra() != null && m.extra().get("slices") instanceof List<?> slices && !slices.isEmpty()) {
            sb.append("## Slices and fairness (test rows)\n\n");
            sb.append("The model on each group of test rows").append(m.task() == dev.kiln.runtime.Task.BINARY
                    ? ", at its decision threshold. Gaps are taken over the groups of at least " + dev.kiln.train.eval.Slices.MIN_ROWS
                    + " rows; the four-fifths rule reads the ratio of the favourable outcome's rate" : "").append(".\n\n");
            String positive = m.positiveClass() == null ? "positive" : m.positiveClass();
            for (Object o : slices) {
                Map<String, Object> c = (Map<String, Object>) o;
                List<Map<String, Object>> groups = (List<Map<String, Object>>) c.get("groups");
                sb.append("### By `").append(c.get("column")).append("` (").append(c.get("grouping")).append(")\n\n");
                List<String> metrics = groups.isEmpty() ? List.of() : new java.util.ArrayList<>(((Map<String, Object>) groups.get(0).get("metrics")).keySet());
                metrics.sort(java.util.Comparator.comparingInt(k -> dev.kiln.train.eval.Slices.METRIC_ORDER.indexOf(k)));
                List<String> header = new java.util.ArrayList<>(List.of("group", "rows"));
                metrics.forEach(k -> header.add(Reports.sliceMetricName(k, positive)));
                Table t = new Table(header.toArray(String[]::new));
                for (Map<String, Object> g : groups) {
                    List<Object> row = new java.util.ArrayList<>(List.of(g.get("value"), g.get("rows")));
                    Map<String, Object> values = (Map<String, Object>) g.get("metrics");
                    metrics.forEach(k -> row.add(number(values.get(k))));
                    t.row(row.toArray());
                }
                sb.append(t.renderMarkdown()).append('\n');
                Map<String, Object> gaps = (Map<String, Object>) c.get("gaps");
                Map<String, Object> intervals = (Map<String, Object>) c.getOrDefault("gapIntervals", Map.of());
                if (gaps != null && !gaps.isEmpty()) {
                    sb.append("Gaps [95% bootstrap interval]: ").append(gaps.entrySet().stream()
                            .map(e -> e.getKey() + " " + number(e.getValue()) + Reports.interval((List<?>) intervals.get(e.getKey())))
                            .collect(Collectors.joining(", "))).append(".\n\n");
                }
                for (Object note : (List<Object>) c.getOrDefault("notes", List.of())) {
                    sb.append("Note: ").append(note).append(".\n\n");
                }
            }
        }
        return sb.toString();
    }

    /** A number from the manifest's JSON (NaN is written as the string "NaN"), to three decimals. */
    private static String number(Object v) {
        return v instanceof Number n ? Table.num(n.doubleValue(), 3) : String.valueOf(v);
    }

    static String render(RegisteredModel model, ModelVersion v, Bundle bundle, Run run) {
        BundleManifest m = bundle.manifest();
        StringBuilder sb = new StringBuilder();
        summary(sb, model, v, m);
        sb.append("\n## Intended use\n\n");
        sb.append(model.description() != null && !model.description().isBlank() ? model.description()
                : "Predicts `" + m.target() + "` from the " + m.inputSchema().fields().size()
                + " input columns below, for rows drawn from the same population as the training data. "
                + "Not validated outside that population; check drift against the reference profile before relying on it.");
        sb.append("\n\n## Data\n\n");
        data(sb, bundle);
        sb.append("## Metrics (test rows) against the baseline\n\n");
        metrics(sb, m);
        sb.append(slices(m));
        drivers(sb, m);
        sb.append("## Parameters\n\n");
        Table params = new Table("parameter", "value");
        new java.util.TreeMap<>(m.hyperparameters()).forEach((k, val) -> params.row(k, val));
        sb.append(params.renderMarkdown()).append('\n');
        sb.append("## Provenance\n\n");
        provenance(sb, v, m.lineage(), run);
        return sb.toString();
    }

    private static void summary(StringBuilder sb, RegisteredModel model, ModelVersion v, BundleManifest m) {
        sb.append("# Model card: ").append(v.model()).append(" version ").append(v.version()).append("\n\n");
        String aliases = model.aliases().entrySet().stream().filter(e -> e.getValue() == v.version())
                .map(Map.Entry::getKey).sorted().collect(Collectors.joining(", "));
        sb.append("- Aliases: ").append(aliases.isEmpty() ? "none" : aliases).append('\n');
        sb.append("- Algorithm: ").append(m.algorithm()).append("; task: ").append(m.task().wireName())
                .append("; target: `").append(m.target()).append("`\n");
        if (m.classes() != null) {
            sb.append("- Classes: ").append(m.classes());
            if (m.positiveClass() != null) {
                sb.append("; positive class `").append(m.positiveClass()).append("`, decision threshold ")
                        .append(Table.num(m.decisionThreshold(), 3));
            }
            sb.append('\n');
        }
    }

    /** The dataset and its split, and each input column as the reference profile saw it. */
    private static void data(StringBuilder sb, Bundle bundle) {
        BundleManifest m = bundle.manifest();
        Lineage l = m.lineage();
        sb.append("- Dataset: `").append(l.datasetSource()).append("`, version (SHA-256) `").append(l.datasetSha256()).append("`\n");
        sb.append("- Rows: ").append(l.datasetRows()).append(" (train ").append(l.trainRows()).append(", validation ")
                .append(l.validationRows()).append(", test ").append(l.testRows()).append("; split ").append(l.split()).append(")\n\n");
        if (bundle.referenceProfile() == null) {
            return;
        }
        Table t = new Table("input column", "type", "missing", "distinct", "range / top values");
        for (var f : m.inputSchema().fields()) {
            ColumnProfile c = bundle.referenceProfile().column(f.name()).orElse(null);
            if (c == null) {
                continue;
            }
            String range = c.mean() != null && !c.type().equals("datetime")
                    ? Table.num(c.min(), 2) + " .. " + Table.num(c.max(), 2)
                    : c.topCategories() == null ? "" : c.topCategories().stream().limit(3).map(k -> k.value()).collect(Collectors.joining(", "));
            t.row(c.name(), c.type(), c.missing(), c.distinct(), range);
        }
        sb.append(t.renderMarkdown()).append('\n');
    }

    @SuppressWarnings("unchecked")
    private static void metrics(StringBuilder sb, BundleManifest m) {
        Map<String, Object> baseline = m.extra() == null ? null : (Map<String, Object>) m.extra().get("baseline_metrics");
        Map<String, Double> baseTest = baseline == null ? Map.of() : (Map<String, Double>) baseline.get("test");
        Table metrics = new Table("metric", "model", "baseline");
        for (String k : new TreeSet<>(m.testMetrics().keySet())) {
            metrics.row(k, Table.num(m.testMetrics().get(k), 4), Table.num(baseTest.get(k), 4));
        }
        sb.append(metrics.renderMarkdown()).append('\n');
        if (m.extra() != null && m.extra().get("selection_metric") != null) {
            sb.append("Chosen on validation ").append(m.extra().get("selection_metric")).append("; the test rows were used once, for this report.\n\n");
        }
    }

    /** The feature importance the bundle carries, largest first; nothing when it carries none. */
    @SuppressWarnings("unchecked")
    private static void drivers(StringBuilder sb, BundleManifest m) {
        Map<String, Object> importance = m.extra() == null ? null : (Map<String, Object>) m.extra().get("feature_importance");
        if (importance == null || !(importance.get("columns") instanceof Map<?, ?> columns)) {
            return;
        }
        sb.append("## What drives the model\n\n");
        sb.append("Each input column's mean absolute contribution to the model's ").append(String.valueOf(importance.get("space")).replace('_', '-'))
                .append(" over ").append(importance.get("rows"))
                .append(" validation rows (exact TreeSHAP for trees, w (x - mean) for linear models; "
                        + "`kiln predict --explain` and `:explain` give them row by row).\n\n");
        Table drivers = new Table("input column", "mean absolute contribution");
        columns.entrySet().stream()
                .sorted((a, b) -> Double.compare(((Number) b.getValue()).doubleValue(), ((Number) a.getValue()).doubleValue()))
                .forEach(e -> drivers.row(e.getKey(), Table.num(((Number) e.getValue()).doubleValue(), 4)));
        sb.append(drivers.renderMarkdown()).append('\n');
    }

    private static void provenance(StringBuilder sb, ModelVersion v, Lineage l, Run run) {
        sb.append("- Bundle SHA-256 (manifest): `").append(v.bundleSha256()).append("`\n");
        sb.append("- Training run: `").append(v.sourceRunId()).append('`');
        if (run != null) {
            sb.append(" (experiment ").append(run.experiment()).append(", ").append(run.status().name().toLowerCase())
                    .append(", started ").append(run.startedAt()).append(')');
        }
        sb.append('\n');
        sb.append("- Training parameters: ").append(l.parameters()).append('\n');
        sb.append("- Seed: ").append(l.seed()).append("; Kiln ").append(l.kilnVersion())
                .append(l.gitCommit() == null || l.gitCommit().isBlank() ? "" : " (commit " + l.gitCommit() + ")").append('\n');
        sb.append("- Created: ").append(l.createdAt()).append("; registered by ").append(v.createdBy()).append(" at ").append(v.createdAt()).append('\n');
    }
}
