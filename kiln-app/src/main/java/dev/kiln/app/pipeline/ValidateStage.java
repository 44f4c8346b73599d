package dev.kiln.app.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.data.validate.Validator;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validate: the new data has rows and the target, and fits the schema of the version in production — no column it
 * reads is missing, no value is of the wrong type, no column is new (each refused naming the columns) — with the
 * warnings of {@code kiln data validate} (new categories, out-of-range values, missing-rate jumps) blocking only under
 * {@code block_on: warn}.
 */
final class ValidateStage implements StageWork {
    @Override
    public Stage stage() {
        return Stage.VALIDATE;
    }

    @Override
    public StageKey key(RunContext ctx) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("data", ctx.dataset);
        parts.put("config", StageKey.hashOf(ctx.section("validate") + "\n" + ctx.spec.target()));
        parts.put("production", comparedWith(ctx) == null ? "none" : ctx.holder.bundleSha256());
        return StageKey.of("validate", parts);
    }

    /**
     * The version the data is validated against: the alias's holder, unless it was trained on this very dataset (then
     * there is nothing to compare, and the key stays what it was before the holder was promoted, so an unchanged
     * pipeline skips the stage).
     */
    static dev.kiln.store.ModelVersion comparedWith(RunContext ctx) {
        return ctx.holder == null || ctx.dataset.equals(ctx.holder.datasetSha256()) ? null : ctx.holder;
    }

    @Override
    public StageOutcome run(RunContext ctx) {
        DataFrame frame = DataReader.read(ctx.datasetPath, ReadOptions.defaults().withOtherColumns(ColumnType.TEXT));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", frame.rowCount());
        List<String> problems = new ArrayList<>();
        if (frame.rowCount() == 0) {
            problems.add("the data has no rows");
        }
        if (!frame.has(ctx.spec.target())) {
            problems.add("the target column '" + ctx.spec.target() + "' is not in the data (columns: "
                    + String.join(", ", frame.names()) + ")");
        }
        String blockOn = ctx.spec.validate().blockOn();
        if (comparedWith(ctx) != null && problems.isEmpty()) {
            Bundle production = BundleReader.read(ctx.store.registry().bundlePath(ctx.holder));
            ValidationReport report = Validator.validate(frame, Expectations.of(production),
                    new ValidationOptions(ctx.spec.validate().missingRateJump(), ValidationOptions.DEFAULT_MAX_EXAMPLES));
            out.put("status", report.status().wireName());
            out.put("against", ctx.holderLabel());
            // The whole report (kiln data validate's), kept in the stage's record of the run: GET /api/pipelines/... and
            // the dataset version's page show it.
            out.put(StageReport.REPORT, Json.mapper().convertValue(report, new TypeReference<Map<String, Object>>() { }));
            if (!report.missingColumns().isEmpty()) {
                problems.add("columns " + ctx.holderLabel() + " reads are missing: " + String.join(", ", report.missingColumns()));
            }
            Set<String> known = new TreeSet<>();
            production.manifest().inputSchema().fields().forEach(f -> known.add(f.name()));
            known.add(ctx.spec.target());
            if (ctx.spec.train().exclude() != null) {
                known.addAll(ctx.spec.train().exclude()); // excluded on purpose: never read, so never new
            }
            List<String> added = frame.names().stream().filter(n -> !known.contains(n)).toList();
            if (!added.isEmpty()) {
                problems.add("columns " + ctx.holderLabel() + " was not trained with: " + String.join(", ", added));
            }
            List<String> typeBroken = new ArrayList<>();
            List<String> warned = new ArrayList<>();
            for (ValidationReport.ColumnReport c : report.columns()) {
                if (c.present() && c.counts().invalidType() > 0) {
                    typeBroken.add(c.name() + " (" + c.counts().invalidType() + " values not " + c.type() + ")");
                } else if (c.status() == ValidationReport.Status.WARN) {
                    warned.add(c.name());
                }
            }
            if (!typeBroken.isEmpty()) {
                problems.add("values of the wrong type: " + String.join(", ", typeBroken));
            }
            out.put("warnings", warned);
            if ("warn".equals(blockOn) && !warned.isEmpty()) {
                problems.add("warnings (block_on: warn) in columns: " + String.join(", ", warned)
                        + " (details: kiln data validate " + ctx.datasetPath + " --model " + ctx.holderLabel() + ")");
            }
        }
        out.put("problems", problems);
        if (!problems.isEmpty() && !"never".equals(blockOn)) {
            return StageOutcome.refused(out, "refused: " + String.join("; ", problems), false);
        }
        String against = ctx.holder == null ? "no version in production to compare with"
                : comparedWith(ctx) == null ? ctx.holderLabel() + " was trained on this dataset" : "fits " + ctx.holderLabel();
        return StageOutcome.done(out, frame.rowCount() + " rows, " + against
                + (problems.isEmpty() ? "" : " (not blocking: " + String.join("; ", problems) + ")"));
    }

    @Override
    public String restore(RunContext ctx, Map<String, Object> output) {
        return null;
    }

    @Override
    public String summary(Map<String, Object> output) {
        return output.get("rows") + " rows";
    }
}
