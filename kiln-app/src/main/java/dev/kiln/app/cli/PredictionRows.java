package dev.kiln.app.cli;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.Task;
import dev.kiln.train.FeaturePipelineFitter;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * `kiln predict`'s output rows: the input's columns as text, then the prediction, the class probabilities and, with
 * explanations, each row's explanation, as CSV. A batch of input rows at a time ({@link #write}), rows are encoded,
 * scored and formatted a chunk at a time on every core (formatting a double as text costs about as much as scoring
 * it), and written in the input's order, so the output is the same bytes whatever the number of cores or the size of
 * the batches. At most two chunks per core are in memory at once.
 */
final class PredictionRows implements AutoCloseable {
    static final int CHUNK = 4096;

    private final KilnModel kiln;
    private final List<String> explained;
    private final boolean explain;
    private final boolean escapeFormulas;
    private final int width;
    private final int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    private final ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
        Thread t = new Thread(r, "kiln-predict");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param explained the model's explained outputs when rows are explained (empty otherwise)
     * @param width the number of cells per row (the header's)
     */
    PredictionRows(KilnModel kiln, boolean explain, List<String> explained, boolean escapeFormulas,
                   int width) {
        this.kiln = kiln;
        this.explain = explain;
        this.explained = explained;
        this.escapeFormulas = escapeFormulas;
        this.width = width;
    }

    /**
     * Writes every row of {@code batch}, in order, reporting each chunk written to {@code progress} ({@code before}: the
     * rows written before this batch).
     */
    void write(DataFrame batch, Writer w, Progress progress, long before) throws IOException {
        int rows = batch.rowCount();
        int chunks = (rows + CHUNK - 1) / CHUNK;
        ArrayDeque<Future<String>> inFlight = new ArrayDeque<>();
        int submitted = 0;
        try {
            for (int written = 0; written < chunks; written++) {
                while (submitted < chunks && inFlight.size() < 2 * workers) {
                    int from = submitted * CHUNK;
                    inFlight.add(pool.submit(() -> chunk(batch, from, Math.min(rows, from + CHUNK))));
                    submitted++;
                }
                w.write(take(inFlight.poll()));
                progress.onStep("rows", (int) Math.min(Integer.MAX_VALUE, before + Math.min(rows, (written + 1) * CHUNK)), -1);
            }
        } finally {
            inFlight.forEach(f -> f.cancel(true)); // a failure leaves no chunk running for a batch that is let go
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static String take(Future<String> chunk) throws IOException {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while scoring", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // a KilnException from the model, as the row-by-row loop threw it
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IOException(e.getCause());
        }
    }

    /**
     * Rows {@code [from, to)} of {@code batch}, encoded, scored and written as CSV records. The rows are encoded column by
     * column from the columns' own arrays ({@link FeaturePipelineFitter#encode}, exactly what the model's row encoding
     * gives) and the cells written from them, no cell boxed: boxing two Doubles per cell made `kiln predict`'s heap churn
     * into a full collection every few batches.
     */
    private String chunk(DataFrame batch, int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        double[][] encoded = FeaturePipelineFitter.encode(kiln.bundle().pipeline(), batch, rows);
        double[][] scores = kiln.scoreBatch(encoded);
        List<DataColumn> columns = batch.columns();
        StringBuilder out = new StringBuilder((to - from) * width * 16);
        List<String> cells = new ArrayList<>(width);
        for (int i = from; i < to; i++) {
            cells.clear();
            for (DataColumn c : columns) {
                cells.add(text(c, i));
            }
            addOutputs(cells, scores[i - from], encoded[i - from]);
            appendRow(out, cells, escapeFormulas);
        }
        return out.toString();
    }

    /** One row's prediction, class probabilities and, when asked, its explanation. */
    private void addOutputs(List<String> cells, double[] score, double[] features) {
        Prediction p = kiln.decode(score);
        cells.add(p.prediction() instanceof Double d ? Double.toString(d) : p.prediction().toString());
        for (String c : kiln.classes()) {
            cells.add(Double.toString(p.probabilities().get(c)));
        }
        if (explain) {
            if (kiln.task() != Task.REGRESSION && kiln.calibrated()) {
                // What the explanation adds up to: the estimator's own probabilities, before calibration.
                if (score.length == 1) {
                    cells.add(Double.toString(1 - score[0]));
                    cells.add(Double.toString(score[0]));
                } else {
                    for (double v : score) {
                        cells.add(Double.toString(v));
                    }
                }
            }
            Explanation e = kiln.explainFeatures(features);
            for (int k = 0; k < explained.size(); k++) {
                cells.add(Double.toString(e.base(k)));
                for (double v : e.values(k)) {
                    cells.add(Double.toString(v));
                }
            }
        }
    }

    /** A cell as the input's column holds it ({@link DataColumn#text}: a boolean in its file's words); "" when missing. */
    private static String text(DataColumn column, int row) {
        String v = column.text(row);
        return v == null ? "" : v;
    }

    /**
     * One CSV record; with {@code escapeFormulas}, cells a spreadsheet would run get a leading {@code '}
     * ({@link FormulaCells}). A cell starting or ending with whitespace is quoted, so that a reader that trims
     * unquoted values (Kiln's own does) reads it back unchanged.
     */
    static void appendRow(StringBuilder w, List<String> cells, boolean escapeFormulas) {
        for (int j = 0; j < cells.size(); j++) {
            if (j > 0) {
                w.append(',');
            }
            String c = escapeFormulas ? FormulaCells.escape(cells.get(j)) : cells.get(j);
            if (needsQuotes(c)) {
                w.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                w.append(c);
            }
        }
        w.append('\n');
    }

    /**
     * A delimiter, quote or line break inside, or whitespace at either end. One pass over the chars: cells are short
     * (a number, a label), and four indexOf calls a cell were a tenth of kiln predict's time on a million rows.
     */
    private static boolean needsQuotes(String c) {
        int n = c.length();
        if (n == 0) {
            return false;
        }
        if (c.charAt(0) <= ' ' || c.charAt(n - 1) <= ' ') {
            return true;
        }
        for (int i = 0; i < n; i++) {
            char ch = c.charAt(i);
            if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
                return true;
            }
        }
        return false;
    }
}
