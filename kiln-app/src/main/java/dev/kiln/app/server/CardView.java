package dev.kiln.app.server;

import dev.kiln.app.registry.ModelCardData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The wire form of a {@link ModelCardData}: snake_case, ISO-8601 times, non-finite numbers as null. */
final class CardView {
    private CardView() {
    }

    static Map<String, Object> of(ModelCardData c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", c.model());
        m.put("version", c.version());
        m.put("aliases", c.aliases());
        m.put("algorithm", c.algorithm());
        m.put("task", c.task() == null ? null : c.task().wireName());
        m.put("target", c.target());
        m.put("classes", c.classes());
        m.put("positive_class", c.positiveClass());
        m.put("decision_threshold", finite(c.decisionThreshold()));
        m.put("intended_use", c.intendedUse());
        m.put("intended_use_from_description", c.describedByOwner());
        ModelCardData.Dataset d = c.dataset();
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("source", d.source());
        dataset.put("sha256", d.sha256());
        dataset.put("rows", d.rows());
        dataset.put("train_rows", d.trainRows());
        dataset.put("validation_rows", d.validationRows());
        dataset.put("test_rows", d.testRows());
        dataset.put("split", d.split());
        m.put("dataset", dataset);
        m.put("columns", c.columns().stream().map(col -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", col.name());
            x.put("type", col.type());
            x.put("missing", col.missing());
            x.put("distinct", col.distinct());
            x.put("numeric", col.numeric());
            x.put("min", finite(col.min()));
            x.put("max", finite(col.max()));
            x.put("top_values", col.topValues());
            return x;
        }).toList());
        m.put("metrics", metrics(c.metrics()));
        m.put("selection_metric", c.selectionMetric());
        m.put("slices", c.slices());
        if (c.drivers() == null) {
            m.put("drivers", null);
        } else {
            Map<String, Object> drivers = new LinkedHashMap<>();
            drivers.put("space", c.drivers().space());
            drivers.put("rows", c.drivers().rows());
            drivers.put("columns", metrics(c.drivers().columns()));
            m.put("drivers", drivers);
        }
        m.put("parameters", c.parameters());
        ModelCardData.Provenance p = c.provenance();
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("bundle_sha256", p.bundleSha256());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", p.sourceRunId());
        run.put("experiment", p.runExperiment());
        run.put("status", p.runStatus());
        run.put("started_at", Views.time(p.runStartedAt()));
        prov.put("run", p.sourceRunId() == null ? null : run);
        prov.put("training_parameters", p.trainingParameters());
        prov.put("seed", p.seed());
        prov.put("kiln_version", p.kilnVersion());
        prov.put("git_commit", p.gitCommit());
        prov.put("created_at", p.createdAt());
        prov.put("registered_by", p.registeredBy());
        prov.put("registered_at", Views.time(p.registeredAt()));
        m.put("provenance", prov);
        return m;
    }

    private static List<Map<String, Object>> metrics(List<ModelCardData.Metric> metrics) {
        return metrics.stream().map(x -> {
            Map<String, Object> y = new LinkedHashMap<>();
            y.put("name", x.name());
            y.put("value", finite(x.value()));
            y.put("baseline", finite(x.baseline()));
            return y;
        }).toList();
    }

    private static Double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? null : v;
    }
}
