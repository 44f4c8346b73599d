package dev.kiln.spark.sketch;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.TypeVotes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * Kiln's mergeable sketches ({@link DatasetSketch}: a {@link QuantileSketch} or {@link CategoryCounts} per column) of
 * a Spark dataset, built partition by partition and merged on the driver in partition order, with each column typed
 * by Kiln's rules over all its values (the votes of every partition) rather than by Spark's schema. One pass over the
 * data; a second, over only the columns that need it, when a column turns out categorical after some partition had
 * taken its values as numbers (a partition counts categories only once no numeric-like type is left for it).
 */
public final class SparkSketcher {
    /** kiln-data SchemaInference's free-text rule: average length over this many characters. */
    private static final int TEXT_MIN_AVG_LENGTH = 30;

    private SparkSketcher() {
    }

    /** One column merged over every partition: its type, counts, sketch or categories, and moments (numeric-like). */
    /**
     * One column merged over every partition. {@code distinct} is exact when {@code distinctExact} (a quantile sketch
     * that still holds every value, category counts under their cap), else {@link DistinctSketch}'s estimate (0 when
     * distinct values were not counted: {@link #sketch} counts them only for {@link #sketchWithDistinct});
     * {@code mean} and {@code std} (sample) are NaN for categories; {@code words} are a boolean column's (the words its
     * data writes, {@link BooleanWords}), null for any other.
     */
    public record Column(String name, ColumnType type, long missing, QuantileSketch quantiles, CategoryCounts categories,
                         long count, double mean, double std, long distinct, boolean distinctExact, BooleanWords words) {
        ColumnSketch sketch() {
            return new ColumnSketch(name, type, missing, quantiles, categories);
        }
    }

    /**
     * The merged sketches, and the columns whose values did not fit their forced type ({@code typeProblems}: column
     * to the first value that did not fit), which are sketched as categories instead.
     */
    public record Sketched(long rows, List<Column> columns, Map<String, String> typeProblems) {
        public DatasetSketch sketch() {
            return new DatasetSketch(rows, columns.stream().map(Column::sketch).toList());
        }

        public Map<String, ColumnType> types() {
            Map<String, ColumnType> out = new LinkedHashMap<>();
            columns.forEach(c -> out.put(c.name(), c.type()));
            return out;
        }
    }

    public static Sketched sketch(Dataset<Row> data) {
        return sketch(data, Map.of());
    }

    /** Every column of {@code data}; {@code forced} gives some their type (columns it names that the data lacks are ignored). */
    public static Sketched sketch(Dataset<Row> data, Map<String, ColumnType> forced) {
        return sketch(data, forced, QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES);
    }

    public static Sketched sketch(Dataset<Row> data, Map<String, ColumnType> forced, int k, int maxCategories) {
        return sketch(data, forced, k, maxCategories, false);
    }

    /** Every column of {@code data}, typed by Kiln's rules, with distinct counts (16 KiB more per column and partition). */
    public static Sketched sketchWithDistinct(Dataset<Row> data) {
        return sketch(data, Map.of(), QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES, true);
    }

    private static Sketched sketch(Dataset<Row> data, Map<String, ColumnType> forced, int k, int maxCategories,
                                   boolean countDistinct) {
        String[] names = data.columns();
        Combined first = combine(names, run(data, names, forced, k, maxCategories, countDistinct), forced, k, maxCategories);
        if (first.recount().isEmpty()) {
            return first.sketched();
        }
        // The columns some partition did not count as categories: count them again, with their type forced.
        String[] again = first.recount().keySet().toArray(String[]::new);
        Combined second = combine(again, run(data, again, first.recount(), k, maxCategories, countDistinct), first.recount(), k,
                maxCategories);
        return replace(first.sketched(), second.sketched());
    }

    /**
     * The partitions' sketches merged column by column in partition order, and the columns that need a second pass
     * ({@code recount}: column to the type to count its categories as).
     */
    record Combined(Sketched sketched, Map<String, ColumnType> recount) {
    }

    static Combined combine(String[] names, List<SketchPartitions.Partition> parts, Map<String, ColumnType> forced, int k,
                            int maxCategories) {
        long rows = parts.stream().mapToLong(SketchPartitions.Partition::rows).sum();
        List<Column> columns = new ArrayList<>(names.length);
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, ColumnType> recount = new LinkedHashMap<>();
        for (int c = 0; c < names.length; c++) {
            columns.add(merge(names[c], c, parts, forced.get(names[c]), k, maxCategories, problems, recount));
        }
        return new Combined(new Sketched(rows, columns, problems), recount);
    }

    /** {@code first} with the columns that {@code second} counted again. */
    static Sketched replace(Sketched first, Sketched second) {
        List<Column> columns = new ArrayList<>(first.columns());
        for (Column redone : second.columns()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(redone.name())) {
                    columns.set(i, redone);
                }
            }
        }
        return new Sketched(first.rows(), columns, first.typeProblems());
    }

    private static List<SketchPartitions.Partition> run(Dataset<Row> data, String[] names, Map<String, ColumnType> forced,
                                                        int k, int maxCategories, boolean countDistinct) {
        int[] positions = new int[names.length];
        String[] types = new String[names.length];
        for (int c = 0; c < names.length; c++) {
            positions[c] = data.schema().fieldIndex(names[c]);
            ColumnType t = forced.get(names[c]);
            types[c] = t == null ? null : t.wireName();
        }
        // collectAsList keeps partition order: the merge below is the same on every run.
        List<String> json = data.mapPartitions(new SketchPartitions(names, positions, types, k, maxCategories, countDistinct),
                Encoders.STRING()).collectAsList();
        List<SketchPartitions.Partition> parts = new ArrayList<>(json.size());
        for (String j : json) {
            try {
                parts.add(Json.mapper().readValue(j, SketchPartitions.Partition.class));
            } catch (JsonProcessingException e) {
                throw new KilnException(ErrorCode.INTERNAL, "a partition's sketch did not read back: " + e.getOriginalMessage());
            }
        }
        return parts;
    }

    private static Column merge(String name, int c, List<SketchPartitions.Partition> parts, ColumnType forced, int k,
                                int maxCategories, Map<String, String> problems, Map<String, ColumnType> recount) {
        TypeVotes votes = forced == null ? new TypeVotes() : TypeVotes.forced(forced);
        long present = 0;
        long missing = 0;
        String problem = null;
        boolean categoriesComplete = true;
        long sampled = 0;
        long sampleDistinct = 0;
        long sampleLength = 0;
        long sampleWithSpace = 0;
        for (SketchPartitions.Partition p : parts) {
            ColumnPartial.State s = p.columns().get(c);
            votes.and(s.votes());
            present += s.present();
            missing += s.missing();
            problem = problem != null ? problem : s.problem();
            categoriesComplete &= s.categoriesComplete();
            sampled += s.sampled();
            sampleDistinct += s.sampleDistinct();
            sampleLength += s.sampleLength();
            sampleWithSpace += s.sampleWithSpace();
        }
        ColumnType type;
        if (forced != null && forced.isNumericLike() && problem != null) {
            problems.put(name, problem);
            recount.put(name, ColumnType.CATEGORICAL);
            type = ColumnType.CATEGORICAL;
        } else if (forced != null) {
            type = forced;
        } else if (present == 0) {
            type = ColumnType.CATEGORICAL;  // every value missing: kept, as Kiln keeps it
        } else if (votes.type() != null) {
            type = votes.type();
        } else {
            boolean text = sampleDistinct * 2L > sampled && sampleLength > (long) TEXT_MIN_AVG_LENGTH * sampled
                    && sampleWithSpace * 2 >= sampled;
            type = text ? ColumnType.TEXT : ColumnType.CATEGORICAL;
        }
        if (type.isNumericLike()) {
            QuantileSketch q = new QuantileSketch(k);
            Moments m = new Moments();
            DistinctSketch d = new DistinctSketch();
            Map<String, Long> spellings = new HashMap<>();
            for (SketchPartitions.Partition p : parts) {
                ColumnPartial.State s = p.columns().get(c);
                q.merge(QuantileSketch.fromState(s.numbers()));
                m.merge(s.moments());
                if (s.distinct() != null) {
                    d.merge(s.distinct());
                }
                if (s.spellings() != null) {
                    s.spellings().forEach((spelled, n) -> spellings.merge(spelled, n, Long::sum));
                }
            }
            BooleanWords words = type == ColumnType.BOOLEAN ? BooleanWords.of(spellings) : null;
            return q.exact()
                    ? new Column(name, type, missing, q, null, q.count(), m.mean(), m.std(), q.sortedValues().length, true, words)
                    : new Column(name, type, missing, q, null, q.count(), m.mean(), m.std(), d.estimate(), false, words);
        }
        CategoryCounts counts = new CategoryCounts(maxCategories);
        DistinctSketch d = new DistinctSketch();
        if (!categoriesComplete || forced != null && forced.isNumericLike()) {
            recount.put(name, type);
        } else {
            for (SketchPartitions.Partition p : parts) {
                ColumnPartial.State s = p.columns().get(c);
                if (s.categories() != null) {
                    counts.merge(CategoryCounts.fromState(s.categories()));
                    if (s.distinct() != null) {
                        d.merge(s.distinct());
                    }
                }
            }
        }
        boolean exact = counts.other() == 0;
        return new Column(name, type, missing, null, counts, present, Double.NaN, Double.NaN,
                exact ? counts.distinct() : Math.max(counts.distinct(), d.estimate()), exact, null);
    }
}
