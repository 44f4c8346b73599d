package dev.kiln.app.registry;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.RegisteredModel;
import dev.kiln.store.Run;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A model card as data, from the registry, the bundle's manifest and its reference profile: what {@code kiln models
 * card} prints as Markdown and {@code GET /api/models/{name}/versions/{version}/card} answers as JSON. Values are kept
 * as the manifest has them (numbers unrounded, slices as recorded); each surface formats them its own way.
 *
 * @param aliases        the aliases pointing at this version, sorted
 * @param intendedUse    the model's description, or a sentence made from the target and the inputs when it has none
 * @param columns        the input columns as the reference profile saw them (empty without a profile)
 * @param metrics        test metrics by name, each beside the baseline's (null when the bundle records none)
 * @param slices         the manifest's {@code extra.slices} as recorded (empty when training sliced nothing)
 * @param drivers        feature importance, largest first (null when the bundle carries none)
 * @param parameters     hyperparameters by name
 */
public record ModelCardData(String model, int version, List<String> aliases, String algorithm, Task task, String target,
                            List<String> classes, String positiveClass, Double decisionThreshold, String intendedUse,
                            boolean describedByOwner, Dataset dataset, List<Column> columns, List<Metric> metrics,
                            Object selectionMetric, List<Map<String, Object>> slices, Drivers drivers,
                            Map<String, Object> parameters, Provenance provenance) {

    /** The dataset version and its split (null fields when the bundle records no lineage). */
    public record Dataset(String source, String sha256, Long rows, Long trainRows, Long validationRows, Long testRows,
                          String split) {
    }

    /**
     * One input column of the reference profile: {@code numeric} (not datetimes) with {@code min}/{@code max}, else up
     * to three of the most frequent values.
     */
    public record Column(String name, String type, long missing, long distinct, boolean numeric, Double min, Double max,
                         List<String> topValues) {
    }

    public record Metric(String name, Double value, Double baseline) {
    }

    /** Mean absolute contribution per input column in {@code space} (e.g. log_odds) over {@code rows} validation rows. */
    public record Drivers(Object space, Object rows, List<Metric> columns) {
    }

    /** Where the version came from; {@code run*} are null when the training run is not in this store. */
    public record Provenance(String bundleSha256, String sourceRunId, String runExperiment, String runStatus,
                             java.time.Instant runStartedAt, Map<String, Object> trainingParameters, Long seed,
                             String kilnVersion, String gitCommit, String createdAt, String registeredBy,
                             java.time.Instant registeredAt) {
    }

    /** Builds the card of version {@code v} of {@code model} from its bundle and its training run (null when unknown). */
    public static ModelCardData of(RegisteredModel model, ModelVersion v, Bundle bundle, Run run) {
        BundleManifest m = bundle.manifest();
        Lineage l = m.lineage();
        List<String> aliases = model.aliases().entrySet().stream().filter(e -> e.getValue() == v.version())
                .map(Map.Entry::getKey).sorted().toList();
        boolean described = model.description() != null && !model.description().isBlank();
        String intendedUse = described ? model.description()
                : "Predicts `" + m.target() + "` from the " + m.inputSchema().fields().size()
                + " input columns below, for rows drawn from the same population as the training data. "
                + "Not validated outside that population; check drift against the reference profile before relying on it.";
        Dataset dataset = l == null ? new Dataset(null, v.datasetSha256(), null, null, null, null, null)
                : new Dataset(l.datasetSource(), l.datasetSha256(), l.datasetRows(), l.trainRows(), l.validationRows(),
                l.testRows(), l.split());
        Provenance provenance = new Provenance(v.bundleSha256(), v.sourceRunId(), run == null ? null : run.experiment(),
                run == null ? null : run.status().name().toLowerCase(java.util.Locale.ROOT), run == null ? null : run.startedAt(),
                l == null ? null : l.parameters(), l == null ? null : l.seed(), l == null ? null : l.kilnVersion(),
                l == null ? null : l.gitCommit(), l == null ? null : l.createdAt(), v.createdBy(), v.createdAt());
        return new ModelCardData(v.model(), v.version(), aliases, m.algorithm(), m.task(), m.target(), m.classes(),
                m.positiveClass(), m.decisionThreshold(), intendedUse, described, dataset, columns(bundle), metrics(m),
                m.extra() == null ? null : m.extra().get("selection_metric"), slices(m), drivers(m),
                m.hyperparameters() == null ? Map.of() : new TreeMap<>(m.hyperparameters()), provenance);
    }

    private static List<Column> columns(Bundle bundle) {
        if (bundle.referenceProfile() == null) {
            return List.of();
        }
        List<Column> out = new ArrayList<>();
        for (var f : bundle.manifest().inputSchema().fields()) {
            ColumnProfile c = bundle.referenceProfile().column(f.name()).orElse(null);
            if (c == null) {
                continue;
            }
            // A boolean feature shows its answers in its file's words (yes, no), not the range 0 .. 1 behind them.
            boolean range = c.mean() != null && !c.type().equals("datetime") && !c.type().equals("boolean");
            List<String> top = range || c.topCategories() == null ? List.of()
                    : c.topCategories().stream().limit(3).map(ColumnProfile.CategoryCount::value).toList();
            out.add(new Column(c.name(), c.type(), c.missing(), c.distinct(), range, range ? c.min() : null, range ? c.max() : null, top));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Metric> metrics(BundleManifest m) {
        Map<String, Object> baseline = m.extra() == null ? null : (Map<String, Object>) m.extra().get("baseline_metrics");
        Map<String, Double> baseTest = baseline == null ? Map.of() : (Map<String, Double>) baseline.get("test");
        List<Metric> out = new ArrayList<>();
        Map<String, Double> test = m.testMetrics() == null ? Map.of() : m.testMetrics();
        for (String k : new TreeSet<>(test.keySet())) {
            out.add(new Metric(k, test.get(k), number(baseTest.get(k))));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> slices(BundleManifest m) {
        if (m.extra() != null && m.extra().get("slices") instanceof List<?> slices) {
            return (List<Map<String, Object>>) slices;
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static Drivers drivers(BundleManifest m) {
        Map<String, Object> importance = m.extra() == null ? null : (Map<String, Object>) m.extra().get("feature_importance");
        if (importance == null || !(importance.get("columns") instanceof Map<?, ?> columns)) {
            return null;
        }
        List<Metric> sorted = columns.entrySet().stream()
                .sorted((a, b) -> Double.compare(((Number) b.getValue()).doubleValue(), ((Number) a.getValue()).doubleValue()))
                .map(e -> new Metric(String.valueOf(e.getKey()), ((Number) e.getValue()).doubleValue(), null)).toList();
        return new Drivers(importance.get("space"), importance.get("rows"), sorted);
    }

    /** A number from JSON read into a map typed as doubles (it may hold the string "NaN"). */
    private static Double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return v == null ? null : "NaN".equals(v) ? Double.NaN : null;
    }

    /** Columns of the slice table in training's metric order. */
    public static Comparator<String> sliceMetricOrder() {
        return Comparator.comparingInt(k -> dev.kiln.train.eval.Slices.METRIC_ORDER.indexOf(k));
    }
}
