package dev.kiln.app.cli;

import dev.kiln.store.ModelSource;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.data.BatchSize;
import dev.kiln.data.DataFrame;
import dev.kiln.data.ReadAhead;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Score a file with a model: a registry reference or a bundle directory.",
                "The output CSV holds the input columns, then 'prediction', then for classification one "
                        + "'probability_<class>' column per class. Columns the model does not use are ignored; "
                        + "unseen categories go to the unknown bucket; a missing column or a value of the wrong "
                        + "type is an error naming the column and line.",
                "With --explain, each row's explanation follows: 'explanation_base' and one 'contribution_<column>' "
                        + "per input column (multiclass: per class, 'explanation_base_<class>' and "
                        + "'contribution_<class>_<column>'), additive shares of the model's margin (log-odds for "
                        + "logistic models) that sum with the base to it. A model whose probabilities are calibrated "
                        + "(bundle format 1.4) explains its score before calibration: 'uncalibrated_probability_<class>' "
                        + "columns then give the probabilities that score means, which calibration maps monotonically to "
                        + "the 'probability_<class>' columns.",
                "A cell a spreadsheet would run as a formula (one starting with = + - @, a tab or a carriage return, "
                        + "other than a number such as -3.5) is written with a leading ' (OWASP's rule against CSV "
                        + "injection), in the copied input columns, the header and the predictions alike; "
                        + "--no-formula-escape writes every cell as it is."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "REF",
            description = "a registry reference (credit, credit@staging, credit:3) or a bundle directory written by 'kiln train'")
    String model;

    @Mixin
    StoreOptions store;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "rows to score: CSV, Parquet or JSON lines")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "CSV file to write (replaced atomically)")
    Path output;

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Option(names = "--no-formula-escape", description = "do not prefix cells a spreadsheet would run as formulas "
            + "(=, +, -, @, tab, CR) with ' : only for output that no spreadsheet opens")
    boolean noFormulaEscape;

    @Option(names = "--explain", description = "add each row's explanation: every input column's share of the "
            + "model's margin (exact TreeSHAP for tree models; needs a bundle of format 1.2 or later)")
    boolean explain;

    /**
     * About 2^20 cells a batch (50,000 rows of 21 columns): the batches of numbers are small beside what scoring and
     * formatting them allocate. Tests set a number of rows.
     */
    static BatchSize batchSize = BatchSize.cells(1 << 20);

    @Override
    public Integer call() throws IOException {
        ModelSource source = ModelSource.load(model, store);
        KilnModel kiln = source.model();
        if (explain) {
            kiln.requireExplainable();  // before anything is read or written
        }
        List<Field> fields = kiln.requiredFields();
        List<String> explained = explain ? kiln.explainedOutputs() : List.of();
        Path target = output.toAbsolutePath().normalize();
        long rows = 0;
        // The input is read a batch at a time, a batch ahead of the scoring: memory stays flat in the rows (a
        // 10-million-row file took several GB read whole), and the output is the same bytes as scoring it whole.
        try (ReadAhead batches = new ReadAhead(input, inputOptions(fields), batchSize);
             Progress progress = new Progress(explain ? "predict --explain" : "predict", !json)) {
            DataFrame first = batches.next(); // a bad input fails here, before anything is written
            requireFields(first, fields);
            List<String> header = header(first, kiln, fields, explained);
            Files.createDirectories(target.getParent());
            Path tmp = AtomicFiles.temporaryFor(target);
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                 PredictionRows scored = new PredictionRows(kiln, explain, explained, !noFormulaEscape, header.size())) {
                StringBuilder headerRow = new StringBuilder();
                PredictionRows.appendRow(headerRow, header, !noFormulaEscape);
                w.write(headerRow.toString());
                for (DataFrame batch = first; batch != null; batch = batches.next()) {
                    scored.write(batch, w, progress, rows);
                    rows += batch.rowCount();
                }
            } catch (RuntimeException | IOException | Error e) {
                Files.deleteIfExists(tmp); // a failure in a later batch leaves no partial output
                throw e;
            }
            AtomicFiles.publish(tmp, target);
        }
        report(source, kiln, target, rows);
        return 0;
    }

    /**
     * The model's columns typed as it needs them; the columns it does not read pass through as text, unchanged and
     * untrimmed, so that a leading tab the user put in a quoted cell to disarm a formula is kept.
     */
    private static ReadOptions inputOptions(List<Field> fields) {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (Field f : fields) {
            types.put(f.name(), f.type());
        }
        return ReadOptions.defaults().withTypes(types).withOtherColumnsVerbatim().withoutChecksum();
    }

    private void requireFields(DataFrame batch, List<Field> fields) {
        for (Field f : fields) {
            if (!batch.has(f.name())) {
                throw new KilnException(ErrorCode.COLUMN_MISSING, "input " + input + " lacks column '" + f.name()
                        + "' that the model needs", Map.of("column", f.name(), "file", input.toString()));
            }
        }
    }

    /** The input's columns, then the prediction, each class's probability and, with --explain, each contribution. */
    private static List<String> header(DataFrame frame, KilnModel kiln, List<Field> fields, List<String> explained) {
        List<String> header = new ArrayList<>(frame.names());
        header.add("prediction");
        if (kiln.task() != Task.REGRESSION) {
            for (String c : kiln.classes()) {
                header.add("probability_" + c);
            }
        }
        if (!explained.isEmpty() && kiln.task() != Task.REGRESSION && kiln.calibrated()) {
            for (String c : kiln.classes()) {
                header.add("uncalibrated_probability_" + c);
            }
        }
        for (String output : explained) {
            String prefix = explained.size() == 1 ? "" : "_" + output;
            header.add("explanation_base" + prefix);
            for (Field f : fields) {
                header.add("contribution" + prefix + "_" + f.name());
            }
        }
        return header;
    }

    private void report(ModelSource source, KilnModel kiln, Path target, long rows) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", kiln.bundle().directory().toString());
            if (source.registryName() != null) {
                summary.put("registered", Map.of("name", source.registryName(), "version", source.version()));
            }
            summary.put("algorithm", kiln.manifest().algorithm());
            summary.put("input", input.toString());
            summary.put("output", target.toString());
            summary.put("rows", rows);
            summary.put("explained", explain);
            Reports.json(out, summary);
        } else {
            out.println("scored " + rows + " rows with " + kiln.manifest().algorithm() + " model "
                    + (source.registryName() != null ? source.describe() + " (" + kiln.bundle().directory() + ")" : kiln.bundle().directory()));
            out.println("wrote " + target);
        }
        out.flush();
    }
}
