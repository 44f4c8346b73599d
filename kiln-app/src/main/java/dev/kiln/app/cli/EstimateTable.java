package dev.kiln.app.cli;

import dev.kiln.monitor.performance.Cbpe;
import dev.kiln.monitor.performance.EstimateReport;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code kiln monitor performance}'s estimate before labels (CBPE) beside the realised metric, as a table. */
final class EstimateTable {
    private EstimateTable() {
    }

    static String render(EstimateReport r) {
        StringBuilder sb = new StringBuilder("estimated before labels (CBPE), with 95% bands; realised on the labelled rows\n");
        Table t = new Table("window start", "version", "rows", "est. accuracy", "accuracy", "est. roc_auc", "roc_auc", "labelled");
        for (EstimateReport.Estimate e : r.windows()) {
            row(t, String.valueOf(e.start()), e);
        }
        for (EstimateReport.Estimate e : r.versions()) {
            row(t, "all", e);
        }
        sb.append(t.render());
        Map<String, String> calibration = new LinkedHashMap<>();
        for (EstimateReport.Estimate e : r.versions()) {
            calibration.put(e.version(), e.calibration() + ": " + e.calibrationNote());
        }
        calibration.forEach((version, text) -> sb.append("version ").append(version).append(' ').append(text).append('\n'));
        for (String note : r.notes()) {
            sb.append("note: ").append(note).append('\n');
        }
        return sb.toString();
    }

    private static void row(Table t, String start, EstimateReport.Estimate e) {
        boolean calibrated = EstimateReport.CALIBRATED.equals(e.calibration());
        t.row(start, e.version(), e.rows(), calibrated ? band(e.estimatedAccuracy()) : e.calibration(), num(e.realisedAccuracy()),
                calibrated ? band(e.estimatedRocAuc()) : "", num(e.realisedRocAuc()), e.labelled());
    }

    private static String band(Cbpe.Band b) {
        return b == null ? "" : String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", b.value(), b.low(), b.high());
    }

    private static String num(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.3f", d);
    }
}
