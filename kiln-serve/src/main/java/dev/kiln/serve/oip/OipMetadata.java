package dev.kiln.serve.oip;

import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelHost.Served;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's metadata: the server's ({@code GET /v2}: name, version, extensions), a model's
 * ({@code GET /v2/models/{name}}: each input with {@code parameters} from the bundle's reference profile, the outputs,
 * every version serving under the name) and its readiness; and how a column is sent as a tensor.
 */
public final class OipMetadata {
    private final ModelHost models;

    public OipMetadata(ModelHost models) {
        this.models = models;
    }

    /** {@code GET /v2}: the {@code model_repository} extension is listed only when the admin routes are enabled. */
    public static Object server(boolean repository) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", "kiln");
        out.put("version", KilnVersion.get());
        out.put("extensions", repository ? List.of("model_repository") : List.of());
        return out;
    }

    /** {@code GET /v2/models/{name}[/versions/{v}]/ready}: ready, the version, the last failed (re)load. */
    public Object modelReady(Served s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("ready", true);
        out.put("version", s.version());
        models.lastError(s.name()).ifPresent(e -> out.put("last_error", e));
        return out;
    }

    /** {@code GET /v2/models/{name}[/versions/{v}]}: inputs with their training ranges, outputs, the versions serving. */
    public Object modelMetadata(Served s) {
        List<Object> inputs = new ArrayList<>();
        Map<String, Map<String, Object>> ranges = trainingRanges(s.model());
        for (Field f : s.model().requiredFields()) {
            Map<String, Object> t = tensorMeta(f.name(), datatype(f.type()));
            Map<String, Object> p = ranges.get(f.name());
            if (p != null && !p.isEmpty()) {
                t.put("parameters", p);
            }
            inputs.add(t);
        }
        List<Object> outputs = new ArrayList<>();
        outputs.add(tensorMeta(InferenceServer.PREDICTION, s.model().task().isClassification() ? "BYTES" : "FP64"));
        for (String c : s.model().classes()) {
            outputs.add(tensorMeta(InferenceServer.PROBABILITY_PREFIX + c, "FP64"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        List<String> versions = new ArrayList<>(List.of(models.get(s.name()).map(Served::version).orElse(s.version())));
        models.canary(s.name()).map(c -> c.served().version()).filter(v -> !versions.contains(v)).ifPresent(versions::add);
        models.bandit(s.name()).ifPresent(b -> b.arms().stream().map(a -> a.served().version()).filter(v -> !versions.contains(v))
                .forEach(versions::add));
        out.put("versions", versions);
        out.put("platform", "kiln");
        out.put("inputs", inputs);
        out.put("outputs", outputs);
        return out;
    }

    /** At most this many known categories are listed per input in the model metadata. */
    public static final int MAX_LISTED_CATEGORIES = 50;

    /**
     * Per input column, what the bundle's reference profile says about the training data: {@code training_min} and
     * {@code training_max} for numeric and integer columns; {@code training_categories} (the most frequent first, at
     * most {@link #MAX_LISTED_CATEGORIES}; {@code training_categories_truncated} when there were more) for
     * categorical and boolean ones; {@code training_missing_fraction}. Empty without a profile.
     */
    public static Map<String, Map<String, Object>> trainingRanges(dev.kiln.runtime.KilnModel model) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        dev.kiln.runtime.profile.DatasetProfile profile = model.bundle().referenceProfile();
        if (profile == null || profile.columns() == null) {
            return out;
        }
        Map<String, ColumnType> schema = new HashMap<>();
        for (Field f : model.requiredFields()) {
            schema.put(f.name(), f.type());
        }
        for (dev.kiln.runtime.profile.ColumnProfile c : profile.columns()) {
            ColumnType t = schema.get(c.name());
            if (t == null) {
                continue;
            }
            Map<String, Object> p = new LinkedHashMap<>();
            if ((t == ColumnType.NUMERIC || t == ColumnType.INTEGER) && c.min() != null && c.max() != null
                    && Double.isFinite(c.min()) && Double.isFinite(c.max())) {
                p.put("training_min", t == ColumnType.INTEGER && c.min() == Math.rint(c.min()) ? (Object) c.min().longValue() : c.min());
                p.put("training_max", t == ColumnType.INTEGER && c.max() == Math.rint(c.max()) ? (Object) c.max().longValue() : c.max());
            } else if ((t == ColumnType.CATEGORICAL || t == ColumnType.BOOLEAN) && c.topCategories() != null) {
                List<String> cats = new ArrayList<>();
                for (dev.kiln.runtime.profile.ColumnProfile.CategoryCount cc : c.topCategories()) {
                    if (cats.size() < MAX_LISTED_CATEGORIES) {
                        cats.add(cc.value());
                    }
                }
                p.put("training_categories", cats);
                p.put("training_categories_truncated", c.distinct() > cats.size());
            }
            if (!p.isEmpty()) {
                p.put("training_missing_fraction", c.missingFraction());
                out.put(c.name(), p);
            }
        }
        return out;
    }

    private static Map<String, Object> tensorMeta(String name, String datatype) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", List.of(-1));
        return t;
    }

    /** The OIP datatype a column is sent as. */
    public static String datatype(ColumnType type) {
        return switch (type) {
            case NUMERIC -> "FP64";
            case INTEGER -> "INT64";
            case BOOLEAN -> "BOOL";
            case CATEGORICAL, TEXT, DATETIME -> "BYTES";
        };
    }

    /** Whether a tensor of {@code datatype} may feed a column of {@code type} (numbers may be sent narrower). */
    public static boolean accepts(ColumnType type, String datatype) {
        return switch (type) {
            case NUMERIC -> datatype.matches("FP(16|32|64)|U?INT(8|16|32|64)");
            case INTEGER -> datatype.matches("U?INT(8|16|32|64)");
            case BOOLEAN -> datatype.equals("BOOL");
            case CATEGORICAL, TEXT, DATETIME -> datatype.equals("BYTES");
        };
    }
}
