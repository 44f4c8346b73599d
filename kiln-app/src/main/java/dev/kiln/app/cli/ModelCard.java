package dev.kiln.app.cli;

import dev.kiln.app.registry.ModelCardData;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A model card ({@link ModelCardData}: registry, manifest, reference profile) printed as Markdown. */
final class ModelCard {
    private ModelCard() {
    }

    static String render(RegisteredModel model, ModelVersion v, Bundle bundle, Run run) {
        return render(ModelCardData.of(model, v, bundle, run));
    }

    static String render(ModelCardData card) {
        StringBuilder sb = new StringBuilder();
        summary(sb, card);
        sb.append("\n## Intended use\n\n");
        sb.append(card.intendedUse());
        sb.append("\n\n## Data\n\n");
        data(sb, card);
        sb.append("## Metrics (test rows) against the baseline\n\n");
        metrics(sb, card);
        sb.append(slices(card));
        drivers(sb, card);
        sb.append("## Parameters\n\n");
        Table params = new Table("parameter", "value");
        card.parameters().forEach((k, val) -> params.row(k, val));
        sb.append(params.renderMarkdown()).append('\n');
        sb.append("## Provenance\n\n");
        provenance(sb, card.provenance());
        return sb.toString();
    }

    private static void summary(StringBuilder sb, ModelCardData c) {
        sb.append("# Model card: ").append(c.model()).append(" version ").append(c.version()).append("\n\n");
        sb.append("- Aliases: ").append(c.aliases().isEmpty() ? "none" : String.join(", ", c.aliases())).append('\n');
        sb.append("- Algorithm: ").append(c.algorithm()).append("; task: ").append(c.task().wireName())
                .append("; target: `").append(c.target()).append("`\n");
        if (c.classes() != null) {
            sb.append("- Classes: ").append(c.classes());
            if (c.positiveClass() != null) {
                sb.append("; positive class `").append(c.positiveClass()).append("`, decision threshold ")
                        .append(Table.num(c.decisionThreshold(), 3));
            }
            sb.append('\n');
        }
    }

    /** The dataset and its split, and each input column as the reference profile saw it. */
    private static void data(StringBuilder sb, ModelCardData card) {
        ModelCardData.Dataset d = card.dataset();
        sb.append("- Dataset: `").append(d.source()).append("`, version (SHA-256) `").append(d.sha256()).append("`\n");
        sb.append("- Rows: ").append(d.rows()).append(" (train ").append(d.trainRows()).append(", validation ")
                .append(d.validationRows()).append(", test ").append(d.testRows()).append("; split ").append(d.split()).append(")\n\n");
        if (card.columns().isEmpty()) {
            return;
        }
        Table t = new Table("input column", "type", "missing", "distinct", "range / top values");
        for (ModelCardData.Column c : card.columns()) {
            String range = c.numeric() ? Table.num(c.min(), 2) + " .. " + Table.num(c.max(), 2) : String.join(", ", c.topValues());
            t.row(c.name(), c.type(), c.missing(), c.distinct(), range);
        }
        sb.append(t.renderMarkdown()).append('\n');
    }

    private static void metrics(StringBuilder sb, ModelCardData card) {
        Table metrics = new Table("metric", "model", "baseline");
        for (ModelCardData.Metric m : card.metrics()) {
            metrics.row(m.name(), Table.num(m.value(), 4), Table.num(m.baseline(), 4));
        }
        sb.append(metrics.renderMarkdown()).append('\n');
        if (card.selectionMetric() != null) {
            sb.append("Chosen on validation ").append(card.selectionMetric()).append("; the test rows were used once, for this report.\n\n");
        }
    }

    /** The "Slices and fairness" section from the manifest's {@code extra.slices} (empty when training sliced nothing). */
    @SuppressWarnings("unchecked")
    private static String slices(ModelCardData card) {
        StringBuilder sb = new StringBuilder();
        if (card.slices().isEmpty()) {
            return "";
        }
        sb.append("## Slices and fairness (test rows)\n\n");
        sb.append("The model on each group of test rows").append(card.task() == dev.kiln.runtime.Task.BINARY
                ? ", at its decision threshold. Gaps are taken over the groups of at least " + dev.kiln.train.eval.Slices.MIN_ROWS
                + " rows; the four-fifths rule reads the ratio of the favourable outcome's rate" : "").append(".\n\n");
        String positive = card.positiveClass() == null ? "positive" : card.positiveClass();
        for (Map<String, Object> c : card.slices()) {
            List<Map<String, Object>> groups = (List<Map<String, Object>>) c.get("groups");
            sb.append("### By `").append(c.get("column")).append("` (").append(c.get("grouping")).append(")\n\n");
            List<String> metrics = groups.isEmpty() ? List.of() : new java.util.ArrayList<>(((Map<String, Object>) groups.get(0).get("metrics")).keySet());
            metrics.sort(ModelCardData.sliceMetricOrder());
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
        return sb.toString();
    }

    /** A number from the manifest's JSON (NaN is written as the string "NaN"), to three decimals. */
    private static String number(Object v) {
        return v instanceof Number n ? Table.num(n.doubleValue(), 3) : String.valueOf(v);
    }

    /** The feature importance the bundle carries, largest first; nothing when it carries none. */
    private static void drivers(StringBuilder sb, ModelCardData card) {
        ModelCardData.Drivers d = card.drivers();
        if (d == null) {
            return;
        }
        sb.append("## What drives the model\n\n");
        sb.append("Each input column's mean absolute contribution to the model's ").append(String.valueOf(d.space()).replace('_', '-'))
                .append(" over ").append(d.rows())
                .append(" validation rows (exact TreeSHAP for trees, w (x - mean) for linear models; "
                        + "`kiln predict --explain` and `:explain` give them row by row).\n\n");
        Table drivers = new Table("input column", "mean absolute contribution");
        d.columns().forEach(e -> drivers.row(e.name(), Table.num(e.value(), 4)));
        sb.append(drivers.renderMarkdown()).append('\n');
    }

    private static void provenance(StringBuilder sb, ModelCardData.Provenance p) {
        sb.append("- Bundle SHA-256 (manifest): `").append(p.bundleSha256()).append("`\n");
        sb.append("- Training run: `").append(p.sourceRunId()).append('`');
        if (p.runStatus() != null) {
            sb.append(" (experiment ").append(p.runExperiment()).append(", ").append(p.runStatus())
                    .append(", started ").append(p.runStartedAt()).append(')');
        }
        sb.append('\n');
        sb.append("- Training parameters: ").append(p.trainingParameters()).append('\n');
        sb.append("- Seed: ").append(p.seed()).append("; Kiln ").append(p.kilnVersion())
                .append(p.gitCommit() == null || p.gitCommit().isBlank() ? "" : " (commit " + p.gitCommit() + ")").append('\n');
        sb.append("- Created: ").append(p.createdAt()).append("; registered by ").append(p.registeredBy()).append(" at ").append(p.registeredAt()).append('\n');
    }
}
