package dev.kiln.runtime.validate;

import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a dataset is checked against.
 *
 * @param fields            the columns the model reads, with their types (the bundle's input schema restricted
 *                          to the feature pipeline's input columns)
 * @param profile           the training rows' profile (ranges, missing rates, top categories), or null
 * @param knownCategories   per categorical column, the values seen in training: the one-hot vocabulary of the
 *                          feature pipeline united with the profile's top categories and, from bundle format 1.1,
 *                          every category of the reference sketch
 * @param categoriesComplete per categorical column, whether {@code knownCategories} holds every training value
 *                          (true when the profile listed all distinct values; the profile keeps only the most
 *                          frequent ones and the one-hot vocabulary only levels seen at least twice, at most 30)
 * @param target            the model's target column (reported, not required), or null
 */
public record Expectations(List<Field> fields, DatasetProfile profile, Map<String, Set<String>> knownCategories,
                           Map<String, Boolean> categoriesComplete, String target) {
    public Expectations {
        fields = List.copyOf(fields);
        knownCategories = Map.copyOf(knownCategories);
        categoriesComplete = Map.copyOf(categoriesComplete);
    }

    /** The expectations of a bundle: the columns its pipeline reads, its reference profile and its vocabulary. */
    public static Expectations of(Bundle bundle) {
        Schema schema = bundle.manifest().inputSchema();
        List<Field> fields = new ArrayList<>();
        for (String column : bundle.pipeline().inputColumns()) {
            fields.add(schema.field(column).orElseThrow());
        }
        Map<String, Set<String>> vocabulary = new LinkedHashMap<>();
        for (FeatureTransform t : bundle.pipeline().transforms()) {
            if (t instanceof FeatureTransform.OneHot oneHot) {
                vocabulary.computeIfAbsent(oneHot.column(), k -> new LinkedHashSet<>()).addAll(oneHot.levels());
            } else if (t instanceof FeatureTransform.CategoryCode codes) {
                vocabulary.computeIfAbsent(codes.column(), k -> new LinkedHashSet<>()).addAll(codes.levels());
            }
        }
        Expectations e = of(fields, bundle.referenceProfile(), vocabulary, bundle.manifest().target());
        if (bundle.referenceSketch() == null) {
            return e;
        }
        // From format 1.1 the bundle's sketches count every training category (up to 1,000 per column): the
        // complete list, where the profile keeps only the most frequent and the one-hot vocabulary the common ones.
        Map<String, Set<String>> known = new LinkedHashMap<>(e.knownCategories());
        Map<String, Boolean> complete = new LinkedHashMap<>(e.categoriesComplete());
        for (Field f : fields) {
            var sketch = bundle.referenceSketch().features().find(f.name()).orElse(null);
            if (f.type() != dev.kiln.runtime.schema.ColumnType.CATEGORICAL || sketch == null || sketch.categories() == null) {
                continue;
            }
            Set<String> values = new LinkedHashSet<>(known.getOrDefault(f.name(), Set.of()));
            values.addAll(sketch.categories().counts().keySet());
            known.put(f.name(), Set.copyOf(values));
            complete.put(f.name(), complete.getOrDefault(f.name(), false) || sketch.categories().other() == 0);
        }
        return new Expectations(fields, e.profile(), known, complete, e.target());
    }

    /** Expectations from parts; {@code vocabulary} (may be empty) adds to the profile's top categories. */
    public static Expectations of(List<Field> fields, DatasetProfile profile, Map<String, ? extends Set<String>> vocabulary,
                                  String target) {
        Map<String, Set<String>> known = new LinkedHashMap<>();
        Map<String, Boolean> complete = new LinkedHashMap<>();
        for (Field f : fields) {
            if (f.type() != dev.kiln.runtime.schema.ColumnType.CATEGORICAL) {
                continue;
            }
            Set<String> values = new LinkedHashSet<>();
            Set<String> vocab = vocabulary.get(f.name());
            if (vocab != null) {
                values.addAll(vocab);
            }
            ColumnProfile p = profile == null ? null : profile.column(f.name()).orElse(null);
            boolean all = false;
            if (p != null && p.topCategories() != null) {
                p.topCategories().forEach(c -> values.add(c.value()));
                all = p.distinct() <= p.topCategories().size();
            }
            if (!values.isEmpty()) {
                known.put(f.name(), Set.copyOf(values));
                complete.put(f.name(), all);
            }
        }
        return new Expectations(fields, profile, known, complete, target);
    }
}
