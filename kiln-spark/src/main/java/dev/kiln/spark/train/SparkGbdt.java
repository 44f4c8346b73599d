package dev.kiln.spark.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.xgboost.BoosterModels;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.Booster;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressionModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressor;
import ml.dmlc.xgboost4j.scala.spark.XGBoostTrainingSummary;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The GBDT fitted by XGBoost4J-Spark across the executors ({@code numWorkers} Spark tasks training together, one
 * XGBoost worker each, histograms summed over the workers), with kiln train's gbdt parameters: {@code hist} trees, the
 * task's objective and metric, depth, eta, seed; up to {@code maxRounds} rounds, stopping once the validation rows'
 * metric has not improved for {@code earlyStoppingRounds} rounds, and, as kiln train does, keeping only the rounds up
 * to the best one.
 *
 * @param json   the kept rounds in XGBoost's JSON model format (what the bundle stores and Kiln converts)
 * @param model  XGBoost-Spark's own model of exactly those rounds (its {@code transform} is the reference Kiln's scoring
 *               is compared with)
 * @param params the XGBoost parameters, for the bundle's hyperparameters
 */
record SparkGbdt(byte[] json, Model<?> model, int roundsTrained, int roundsKept, Integer bestIteration,
                 Map<String, Object> params) {

    static SparkGbdt fit(Dataset<Row> train, Dataset<Row> validation, TargetColumn target, SparkTrainOptions o, int workers) {
        Map<String, Object> params = params(target, o, workers);
        Model<?> fitted;
        boolean early = o.earlyStoppingRounds() > 0;
        if (target.task().isClassification()) {
            XGBoostClassifier c = new XGBoostClassifier();
            c.setObjective((String) params.get("objective"));
            c.setEvalMetric((String) params.get("eval_metric"));
            if (target.task() == Task.MULTICLASS) {
                c.setNumClass(target.classes().size());
            }
            configure(c, o, workers);
            if (early) {
                c.setEvalDataset(validation);
                c.setNumEarlyStoppingRounds(o.earlyStoppingRounds());
            }
            fitted = (Model<?>) c.fit(train);
        } else {
            XGBoostRegressor r = new XGBoostRegressor();
            r.setObjective((String) params.get("objective"));
            r.setEvalMetric((String) params.get("eval_metric"));
            configure(r, o, workers);
            if (early) {
                r.setEvalDataset(validation);
                r.setNumEarlyStoppingRounds(o.earlyStoppingRounds());
            }
            fitted = (Model<?>) r.fit(train);
        }
        Booster booster = fitted instanceof XGBoostClassificationModel m ? m.nativeBooster()
                : ((XGBoostRegressionModel) fitted).nativeBooster();
        try {
            byte[] json = booster.toByteArray("json");
            int trained = (int) booster.getNumBoostedRound();
            String best = booster.getAttr("best_iteration");
            Integer bestIteration = best == null ? null : Integer.valueOf(best.trim());
            if (bestIteration == null || bestIteration + 1 >= trained) {
                return new SparkGbdt(json, fitted, trained, trained, bestIteration, params);
            }
            byte[] kept = BoosterModels.keepRounds(json, bestIteration + 1);
            return new SparkGbdt(kept, rebuilt(fitted, kept, target), trained, bestIteration + 1, bestIteration, params);
        } catch (XGBoostError e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "could not read XGBoost-Spark's booster: " + e.getMessage(),
                    Map.of(), e);
        }
    }

    /** XGBoost-Spark's model of {@code json} (the kept rounds), with {@code fitted}'s uid and default columns. */
    private static Model<?> rebuilt(Model<?> fitted, byte[] json, TargetColumn target) throws XGBoostError {
        try {
            return rebuiltOrThrow(fitted, json, target);
        } catch (java.io.IOException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "could not load the kept rounds: " + e.getMessage(), Map.of(), e);
        }
    }

    private static Model<?> rebuiltOrThrow(Model<?> fitted, byte[] json, TargetColumn target)
            throws XGBoostError, java.io.IOException {
        Booster booster = new Booster(XGBoost.loadModel(json));
        scala.Option<XGBoostTrainingSummary> none = scala.Option.empty();
        if (target.task().isClassification()) {
            return new XGBoostClassificationModel(fitted.uid(), target.classes().size(), booster, none);
        }
        return new XGBoostRegressionModel(fitted.uid(), booster, none);
    }

    private static void configure(Object estimator, SparkTrainOptions o, int workers) {
        // The setters live on the concrete estimators (Scala traits); both take the same calls.
        if (estimator instanceof XGBoostClassifier c) {
            c.setTreeMethod("hist");
            c.setMaxDepth(o.maxDepth());
            c.setEta(o.learningRate());
            c.setNumRound(o.maxRounds());
            c.setSeed(o.seed());
            c.setNumWorkers(workers);
        } else if (estimator instanceof XGBoostRegressor r) {
            r.setTreeMethod("hist");
            r.setMaxDepth(o.maxDepth());
            r.setEta(o.learningRate());
            r.setNumRound(o.maxRounds());
            r.setSeed(o.seed());
            r.setNumWorkers(workers);
        }
    }

    /** The parameters as kiln train's gbdt records them (XGBoost's names), with the rounds and workers. */
    static Map<String, Object> params(TargetColumn target, SparkTrainOptions o, int workers) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("booster", "gbtree");
        p.put("tree_method", "hist");
        p.put("objective", switch (target.task()) {
            case BINARY -> "binary:logistic";
            case MULTICLASS -> "multi:softprob";
            case REGRESSION -> "reg:squarederror";
        });
        if (target.task() == Task.MULTICLASS) {
            p.put("num_class", target.classes().size());
        }
        p.put("eval_metric", switch (target.task()) {
            case BINARY -> "logloss";
            case MULTICLASS -> "mlogloss";
            case REGRESSION -> "rmse";
        });
        p.put("seed", o.seed());
        p.put("max_depth", o.maxDepth());
        p.put("eta", o.learningRate());
        p.put("max_rounds", o.maxRounds());
        p.put("early_stopping_rounds", o.earlyStoppingRounds());
        p.put("num_workers", workers);
        p.put("library", "xgboost4j-spark " + BoosterModels.xgboostVersion());
        return p;
    }
}
