package dev.kiln.runtime.validate;

import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.text.TextTable;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import dev.kiln.runtime.validate.ValidationReport.Issue;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A validation report as {@code kiln data validate} and {@code kiln spark validate} print it without --json. */
public final class ValidationText {
    private ValidationText() {
    }

    /**
     * The report, headed by the data and {@code model} (what was loaded: reference, and name and version when
     * registered, bundle, algorithm).
     */
    public static String render(ValidationReport r, Map<String, Object> model) {
        StringBuilder sb = new StringBuilder();
        String name = model.containsKey("name") ? model.get("name") + ":" + model.get("version") : String.valueOf(model.get("reference"));
        sb.append("data:  ").append(r.dataset()).append(r.datasetSha256() == null ? "" : " (sha256 " + r.datasetSha256().substring(0, 12) + ")")
                .append('\n');
        sb.append("model: ").append(name).append(" (").append(model.get("algorithm")).append(", bundle ").append(model.get("bundle")).append(")\n");
        sb.append("rows:  ").append(r.rows()).append("; row numbers are ").append(r.rowNumbers()).append('\n');
        sb.append("missing columns: ").append(r.missingColumns().isEmpty() ? "none" : String.join(", ", r.missingColumns())).append('\n');
        sb.append("extra columns (not read by the model): ").append(r.extraColumns().isEmpty() ? "none" : String.join(", ", r.extraColumns()))
                .append("\n\n");
        TextTable t = new TextTable("column", "type", "status", "valid", "missing", "missing %", "train missing %", "invalid type",
                "new category", "out of range", "training range");
        for (ColumnReport c : r.columns()) {
            ColumnType type = ColumnType.valueOf(c.type().toUpperCase(Locale.ROOT));
            String range = c.trainingMin() == null ? (c.knownCategories() == null ? "" : c.knownCategories() + " categories"
                    + (Boolean.TRUE.equals(c.knownCategoriesComplete()) ? "" : " (top only)"))
                    : "[" + ColumnCheck.show(type, c.trainingMin()) + ", " + ColumnCheck.show(type, c.trainingMax()) + "]";
            if (!c.present()) {
                t.row(c.name(), c.type(), "MISSING", "", "", "", percent(c.trainingMissingRate()), "", "", "", range);
                continue;
            }
            var n = c.counts();
            t.row(c.name(), c.type(), c.status().wireName(), n.valid(), n.missing(), percent(c.missingRate()),
                    percent(c.trainingMissingRate()), n.invalidType(), n.newCategory(), n.outOfRange(), range);
        }
        sb.append(t.render());
        boolean any = false;
        for (ColumnReport c : r.columns()) {
            for (Issue i : c.issues()) {
                if (!any) {
                    sb.append("\nissues:\n");
                    any = true;
                }
                sb.append("  ").append(c.name()).append(' ').append(i.kind().wireName()).append(" (").append(i.severity().wireName())
                        .append("): ").append(i.message());
                if (!i.examples().isEmpty()) {
                    sb.append("; e.g. ").append(i.examples().stream()
                            .map(e -> "row " + e.row() + (e.file() == null ? "" : " of " + e.file()) + ": " + (e.value() == null ? "(missing)" : "'" + e.value() + "'"))
                            .collect(Collectors.joining(", ")));
                }
                sb.append('\n');
            }
        }
        var s = r.summary();
        sb.append("\nstatus: ").append(r.status().wireName().toUpperCase(Locale.ROOT)).append(" (rows: ").append(s.rowsClean())
                .append(" clean, ").append(s.rowsWithWarnings()).append(" with warnings, ").append(s.rowsFailing())
                .append(" failing, of ").append(r.rows()).append(")\n");
        return sb.toString();
    }

    private static String percent(Double share) {
        return share == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * share);
    }
}
