package dev.kiln.bench;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.monitor.performance.PerformanceEstimator;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import dev.kiln.train.TrainingReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The estimation error of CBPE (performance estimated before labels from calibrated probabilities): estimate minus
 * realised, per window, against "assume the test metric" (the model's metric on its test rows when trained).
 * (a) the Seattle weather replay: train on 2012-2013 as {@code kiln demo drift} does, estimate 2014-2015 per quarter
 * and per month; (b) synthetic covariate shift: P(y | x) fixed, the distribution of x narrows towards the decision
 * boundary (and widens), window by window. Prints Markdown tables (bench/cbpe/README.md).
 *
 * <pre>
 * java -cp bench/target/kiln-bench.jar dev.kiln.bench.CbpeBench [--seattle kiln-app/src/main/resources/dev/kiln/app/demo/seattle-weather.csv]
 * </pre>
 */
public final class CbpeBench {
    private CbpeBench() {
    }

    public static void main(String[] args) throws IOException {
        Path seattle = Path.of("kiln-app/src/main/resources/dev/kiln/app/demo/seattle-weather.csv");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--seattle")) {
                seattle = Path.of(args[i + 1]);
            }
        }
        Path work = Files.createTempDirectory("kiln-cbpe-bench");
        seattle(seattle, work, "3mo");
        seattle(seattle, work, "1mo");
        for (String algorithm : List.of("gbdt", "linear")) {
            synthetic(work, algorithm);
        }
    }

    /** A trained model on its bundle, with its test metrics. */
    record Trained(KilnModel model, Map<String, Double> test, long validationRows) {
    }

    static Trained train(Path data, String target, List<String> algorithms, List<String> exclude, Path out) {
        TrainOptions o = new TrainOptions(data, target, null, null, null, 0.2, 0.2, 42, algorithms, exclude, null, null, out, true);
        TrainingReport r = Training.run(o, ProgressListener.NONE);
        KilnModel model = KilnModel.load(Path.of(r.bundle()));
        return new Trained(model, model.manifest().testMetrics(), r.validationRows());
    }

    static void seattle(Path csv, Path work, String window) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> train = new ArrayList<>(List.of(lines.get(0)));
        List<String> replay = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            (line.startsWith("2012") || line.startsWith("2013") ? train : replay).add(line);
        }
        Path trainFile = Files.write(work.resolve("seattle-train.csv"), train);
        Path replayFile = Files.write(work.resolve("seattle-replay.csv"), replay);
        Trained t = train(trainFile, "weather", List.of("baseline", "linear", "tree", "gbdt"), List.of("date"),
                work.resolve("seattle-bundle"));
        DataFrame frame = DataReader.read(replayFile);
        List<Map<String, Object>> rows = rows(frame);
        List<String> labels = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            labels.add(String.valueOf(row.remove("weather")));
        }
        EstimateReport report = estimate(t.model, rows, labels, window, "date");
        System.out.printf(Locale.ROOT, "%n### Seattle weather, 2014-2015 by %s (model: %s, multiclass; calibration: %s)%n%n",
                window, t.model.manifest().algorithm(), report.versions().get(0).calibrationNote());
        table(report, t.test, false);
    }

    /**
     * Binary, logit = 2 x1 - 1.5 x2 + 0.5 (fixed); training x ~ N(0, 1) each; window w draws x ~ N(c_w, s_w^2) with
     * the spread s_w going 1.5, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2 and the centre c_w towards the boundary point (-0.25, 0).
     */
    static void synthetic(Path work, String algorithm) throws IOException {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 5000; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            sb.append(x1).append(',').append(x2).append(',').append(label(r, x1, x2)).append('\n');
        }
        Path data = Files.writeString(work.resolve("synthetic-" + algorithm + ".csv"), sb.toString());
        Trained t = train(data, "y", List.of(algorithm), List.of(), work.resolve("synthetic-" + algorithm));
        double[] spread = {1.5, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2};
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int w = 0; w < spread.length; w++) {
            double c1 = -0.25 * w / (spread.length - 1);
            for (int i = 0; i < 3000; i++) {
                double x1 = c1 + spread[w] * r.nextGaussian();
                double x2 = spread[w] * r.nextGaussian();
                Map<String, Object> row = new HashMap<>();
                row.put("x1", x1);
                row.put("x2", x2);
                row.put("day", String.format(Locale.ROOT, "2026-%02d-15", w + 1));
                rows.add(row);
                labels.add(label(r, x1, x2));
            }
        }
        EstimateReport report = estimate(t.model, rows, labels, "1mo", "day");
        System.out.printf(Locale.ROOT, "%n### Synthetic covariate shift, %s (binary; calibration: %s; the spread of x per window: %s)%n%n",
                algorithm, report.versions().get(0).calibrationNote(), java.util.Arrays.toString(spread));
        table(report, t.test, true);
    }

    static String label(Random r, double x1, double x2) {
        double p = 1 / (1 + Math.exp(-(2 * x1 - 1.5 * x2 + 0.5)));
        return r.nextDouble() < p ? "pos" : "neg";
    }

    static EstimateReport estimate(KilnModel model, List<Map<String, Object>> rows, List<String> labels, String window,
                                   String timeColumn) {
        List<Prediction> predictions = model.predictBatch(rows);
        Map<String, String> byKey = new HashMap<>();
        PerformanceEstimator.Pass pass = new PerformanceEstimator.Pass(Buckets.parse(window, "window"), timeColumn, byKey, null);
        for (int i = 0; i < rows.size(); i++) {
            byKey.put("r" + i + "#0", labels.get(i));
        }
        for (int i = 0; i < rows.size(); i++) {
            Prediction p = predictions.get(i);
            pass.add(new PredictionRecord("r" + i, Instant.EPOCH, "bench", "1", 0, rows.get(i), p.prediction(),
                    p.probabilities(), 0, false), model);
        }
        return pass.report("bench", null);
    }

    static void table(EstimateReport report, Map<String, Double> test, boolean auc) {
        double testAcc = test.get("accuracy");
        Double testAuc = test.get("roc_auc");
        System.out.println(auc
                ? "| window | rows | realised acc | CBPE acc [95%] | CBPE error | test-acc error | realised AUC | CBPE AUC [95%] | CBPE error | test-AUC error |"
                : "| window | rows | realised acc | CBPE acc [95%] | CBPE error | test-acc error | realised macro AUC | CBPE macro AUC | CBPE error |");
        System.out.println(auc ? "|---|---|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|---|---|---|");
        double cbpeAcc = 0;
        double naiveAcc = 0;
        double cbpeAuc = 0;
        double naiveAuc = 0;
        int n = 0;
        int aucN = 0;
        int covered = 0;
        for (EstimateReport.Estimate e : report.windows()) {
            double accError = e.estimatedAccuracy().value() - e.realisedAccuracy();
            double naive = testAcc - e.realisedAccuracy();
            cbpeAcc += Math.abs(accError);
            naiveAcc += Math.abs(naive);
            covered += e.realisedAccuracy() >= e.estimatedAccuracy().low() && e.realisedAccuracy() <= e.estimatedAccuracy().high() ? 1 : 0;
            n++;
            String aucCells;
            if (e.realisedRocAuc() != null && e.estimatedRocAuc() != null) {
                double aucError = e.estimatedRocAuc().value() - e.realisedRocAuc();
                cbpeAuc += Math.abs(aucError);
                aucN++;
                if (auc) {
                    double naiveA = testAuc - e.realisedRocAuc();
                    naiveAuc += Math.abs(naiveA);
                    aucCells = String.format(Locale.ROOT, "%.3f | %s | %+.3f | %+.3f", e.realisedRocAuc(), band(e.estimatedRocAuc()),
                            aucError, naiveA);
                } else {
                    aucCells = String.format(Locale.ROOT, "%.3f | %.3f | %+.3f", e.realisedRocAuc(), e.estimatedRocAuc().value(), aucError);
                }
            } else {
                aucCells = auc ? " | | | " : " | | ";
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %s | %+.3f | %+.3f | %s |%n", e.start().toString().substring(0, 10),
                    e.rows(), e.realisedAccuracy(), band(e.estimatedAccuracy()), accError, naive, aucCells);
        }
        System.out.printf(Locale.ROOT, "%nMean absolute error, accuracy: CBPE %.3f, assume the test accuracy (%.3f) %.3f; "
                + "realised accuracy inside CBPE's 95%% band in %d of %d windows.%n", cbpeAcc / n, testAcc, naiveAcc / n, covered, n);
        if (aucN > 0) {
            System.out.printf(Locale.ROOT, "Mean absolute error, ROC AUC: CBPE %.3f%s.%n", cbpeAuc / aucN,
                    auc ? String.format(Locale.ROOT, ", assume the test AUC (%.3f) %.3f", testAuc, naiveAuc / aucN) : "");
        }
    }

    static String band(dev.kiln.monitor.performance.Cbpe.Band b) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", b.value(), b.low(), b.high());
    }

    static List<Map<String, Object>> rows(DataFrame frame) {
        List<Map<String, Object>> rows = new ArrayList<>(frame.rowCount());
        for (int i = 0; i < frame.rowCount(); i++) {
            Map<String, Object> row = new HashMap<>(frame.row(i));
            row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
            rows.add(row);
        }
        return rows;
    }
}
