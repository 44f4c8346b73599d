package dev.kiln.app.pipeline;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.store.ModelRef;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The commented {@code kiln.yaml} that {@code kiln pipeline init} writes: every section with Kiln's defaults, a gate
 * fitting the target's task, and the optional sections commented out. It parses as written (a test keeps it so).
 */
public final class StarterFile {
    private StarterFile() {
    }

    /** @param data the data path as it should appear in the file (relative to the file's directory, usually) */
    public static String text(String name, String data, Path dataFile, String target) {
        ModelRef.checkName(name, name);
        DataFrame frame = DataReader.read(dataFile);
        if (!frame.has(target)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--target: column '" + target + "' is not in " + dataFile
                    + " (columns: " + String.join(", ", frame.names()) + ")", Map.of("target", target));
        }
        String task = task(frame.column(target));
        String gate = switch (task) {
            case "binary" -> "  roc_auc: \">= 0.70\"                # any test metric: accuracy, f1, log_loss, cost_per_1000 (with costs) ...";
            case "multiclass" -> "  accuracy: \">= 0.60\"               # any test metric: f1_macro, log_loss ...";
            default -> "  r2: \">= 0.30\"                     # any test metric: rmse, mae ...";
        };
        return """
                # kiln.yaml: one model's loop, run by `kiln pipeline run` (once) or `kiln pipeline watch` (on triggers).
                # Schema and every key: docs/pipeline.md. Relative paths are relative to this file.
                %s# the registered model (and the pipeline's name)
                %s# a file, a glob (data/*.csv), a directory of files, or jdbc:... with query:
                %s# %s, as Kiln reads the data today

                train:                            # the options of `kiln train`
                  algorithms: [baseline, linear, gbdt]
                  seed: 0
                  # split: stratified             # random | stratified | time (with time_column)
                  # time_column: date
                  # test_fraction: 0.2
                  # validation_fraction: 0.2
                  # exclude: [id]
                  # cost_fp: 1                    # binary: a cost matrix picks the decision threshold; gate on cost_per_1000
                  # cost_fn: 5
                  # slice_by: [sex]               # fairness gaps, gateable as fairness.<column>.<gap>
                  # warm_start: false             # gbdt: continue the production version's trees on the new rows
                  # budget: 60s                   # hyperparameter search time (0: each algorithm's defaults)
                  # search_space: gbdt.max_depth=3..6   # narrow the search (docs/training.md lists the keys)
                  # group_column: customer_id     # never split a customer's rows between fitting and validation
                  # max_latency_us: 50            # choose the best model that answers within 50 us at p99 ...
                  # max_bundle_kb: 500            # ... fits in 500 KB
                  # interpretable: false          # only models a person can read
                  # monotone: [income=+1]         # the score never falls as income grows

                validate:                         # new data against the schema and profile of the version in production
                  block_on: fail                  # fail (missing or new columns, wrong types) | warn | never

                gates:                            # promotion checks, like gate.* tags and --require
                %s
                  max_regression: 0.02            # no worse than the current holder by more than this, on the same rows

                promote:
                  alias: production
                  rollout: direct                 # direct | shadow-canary | none (register only)

                # rollout:                        # for shadow-canary: a running `kiln serve` that follows the alias
                #   serve: http://127.0.0.1:8080
                #   admin_token_file: admin.token
                #   shadow_requests: 200
                #   canary_steps: [10, 50, 100]
                #   canary_interval_seconds: 60

                triggers:                         # what starts a run under `kiln pipeline watch`
                  data: true                      # a new or changed data file
                  # cron: "0 3 * * *"             # minute hour day month weekday
                  # on_alerts: [auc-dropped]      # monitoring rules (below) whose alert starts a run
                  poll: 10s

                # monitor:                        # the alert rules, as in a rules file (docs/monitoring.md)
                #   window: 24h
                #   rules:
                #     - {name: auc-dropped, kind: metric_drop, metric: roc_auc, threshold: 0.05}
                """.formatted(padded("name: " + name), padded("data: " + quote(data)), padded("target: " + quote(target)),
                task, gate.stripTrailing());
    }

    /** A line padded so its comment starts in the column of the others. */
    private static String padded(String line) {
        return line + " ".repeat(Math.max(1, 34 - line.length()));
    }

    private static String task(DataColumn target) {
        ColumnType type = target.type();
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < target.size() && distinct.size() <= 20; i++) {
            Object v = target.value(i);
            if (v != null && !(v instanceof Double d && d.isNaN())) {
                distinct.add(String.valueOf(v));
            }
        }
        if ((type == ColumnType.NUMERIC || type == ColumnType.INTEGER) && distinct.size() > 10) {
            return "regression";
        }
        return distinct.size() <= 2 ? "binary" : "multiclass";
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./*-]+") && !s.toLowerCase(Locale.ROOT).matches("true|false|null|yes|no|on|off|~")
                ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
