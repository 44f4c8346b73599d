package dev.kiln.spark.sketch;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.TypeVotes;
import dev.kiln.runtime.schema.Values;
import dev.kiln.spark.SparkValues;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One column of one partition, as the partition's task sees it: which types its values fit so far ({@link TypeVotes}),
 * its missing values, a {@link QuantileSketch} of its values while a numeric-like type is left, {@link CategoryCounts}
 * once none is left (or when its type is forced to categories), the statistics of the free-text rule, and for profiles
 * moments ({@link Moments}) and a {@link DistinctSketch}. Values are read as Kiln reads them: text by {@link Values} (missing tokens, boolean words, ISO dates);
 * a Parquet or JSON number, boolean, date or timestamp as itself, as kiln-data's typed fetch takes them.
 */
final class ColumnPartial {
    /** Present values per partition on which the free-text rule is judged (kiln-data's Sketcher.TEXT_SAMPLE). */
    static final int TEXT_SAMPLE = 10_000;
    /** Kiln's integer rule: at most 18 digits. */
    private static final long MAX_INTEGER = 999_999_999_999_999_999L;

    private final String name;
    /** The type the column must have (the reference's, for drift's current data), or null to infer it. */
    private final ColumnType forced;
    private final int maxCategories;
    private final TypeVotes votes;
    private final QuantileSketch numbers;
    private final Moments moments = new Moments();
    /** Null unless distinct values are counted (profiles): 16 KiB per column per partition, shipped to the driver. */
    private final DistinctSketch distinct;
    private boolean numbersAlive = true;
    private CategoryCounts categories;
    /** Whether {@link #categories} counts every present value of the partition. */
    private boolean categoriesComplete;
    private long present;
    private long missing;
    private String problem;
    private final Set<String> sampleDistinct = new HashSet<>();
    private long sampled;
    private long sampleLength;
    private long sampleWithSpace;
    /** While the column may be boolean: the rows of each spelling of its boolean words (its words, kiln-data's rule). */
    private final Map<String, Long> spellings = new HashMap<>();

    ColumnPartial(String name, ColumnType forced, int k, int maxCategories, boolean countDistinct) {
        this.distinct = countDistinct ? new DistinctSketch() : null;
        this.name = name;
        this.forced = forced;
        this.maxCategories = maxCategories;
        if (forced == null) {
            votes = new TypeVotes();
        } else {
            votes = TypeVotes.forced(forced);
        }
        numbers = forced == null || forced.isNumericLike() ? new QuantileSketch(k) : null;
        numbersAlive = numbers != null;
        if (forced != null && !forced.isNumericLike()) {
            categories = new CategoryCounts(maxCategories);
            categoriesComplete = true;
        } else if (forced == null) {
            categoriesComplete = true;  // until a present value passes uncounted
        }
    }

    void add(Object value) {
        if (value == null) {
            missing++;
            return;
        }
        if (forced != null && !forced.isNumericLike()) {
            String text = SparkValues.text(value);
            if (Values.isMissingToken(text)) {
                missing++;
            } else {
                present++;
                count(text.trim());
            }
            return;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = value instanceof Float f ? Double.parseDouble(f.toString()) : (Double) value;
            if (Double.isNaN(d)) {
                missing++;
            } else if (Double.isInfinite(d)) {
                addText(SparkValues.text(value));  // "Infinity" is not a number to Kiln: the column is typed from its text
            } else if (forced != null) {
                addForced(d, value);
            } else if (!votes.number()) {
                addText(SparkValues.text(value));  // after text that is no number: categories, as the text would be
            } else {
                present++;
                addNumber(votes.acceptNumber(d, false));
            }
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            long l = ((Number) value).longValue();
            if (forced != null) {
                addForced(l, value);
            } else if (Math.abs(l) > MAX_INTEGER || !votes.number()) {
                addText(Long.toString(l));
            } else {
                present++;
                addNumber(votes.acceptNumber(l, true));
            }
        } else if (value instanceof Boolean b && forced == null && votes.bool()) {
            present++;
            addNumber(votes.acceptBoolean(b));
        } else {
            addText(SparkValues.text(value));
        }
    }

    private void addForced(double d, Object value) {
        // A number against a forced numeric-like type: as the text the single-machine reader would see.
        if (forced == ColumnType.NUMERIC || forced == ColumnType.INTEGER && d == Math.rint(d)) {
            present++;
            addNumber(d);
        } else {
            addText(SparkValues.text(value));
        }
    }

    private void addText(String s) {
        if (Values.isMissingToken(s)) {
            missing++;
            return;
        }
        present++;
        if (forced != null) {
            double d = Values.parseFitting(forced, s);
            if (Double.isNaN(d)) {
                fail(s);
            } else {
                addNumber(d);
                if (forced == ColumnType.BOOLEAN) {
                    spellings.merge(s.trim(), 1L, Long::sum);
                }
            }
            return;
        }
        sample(s);
        boolean wasAlive = votes.anyLeft();
        double d = votes.accept(s);
        if (votes.anyLeft()) {
            addNumber(d);
            if (votes.bool()) { // a boolean word (every value so far was one): counted as spelled
                spellings.merge(s.trim(), 1L, Long::sum);
            }
            return;
        }
        if (wasAlive) {
            numbersAlive = false;
            if (present > 1) {
                categoriesComplete = false;  // the values before this one were not counted as categories
            }
            categories = new CategoryCounts(maxCategories);
        }
        count(s.trim());
    }

    private void addNumber(double d) {
        if (!numbersAlive) {
            return;  // a forced type that a value did not fit: the driver counts the column as categories
        }
        numbers.add(d);
        moments.add(d);
        if (distinct != null) {
            distinct.addNumber(d);
        }
    }

    private void count(String category) {
        categories.add(category);
        if (distinct != null) {
            distinct.addText(category);
        }
    }

    private void fail(String s) {
        if (problem == null) {
            problem = "column '" + name + "': value '" + s + "' is not " + describe(forced);
        }
        numbersAlive = false;
    }

    private void sample(String s) {
        if (sampled >= TEXT_SAMPLE) {
            return;
        }
        String t = s.trim();
        sampled++;
        sampleLength += t.length();
        sampleDistinct.add(t);
        for (int i = 0; i < t.length(); i++) {
            if (Character.isWhitespace(t.charAt(i))) {
                sampleWithSpace++;
                break;
            }
        }
    }

    private static String describe(ColumnType type) {
        switch (type) {
            case BOOLEAN:
                return "a boolean (true/false, yes/no, 1/0)";
            case INTEGER:
                return "an integer";
            case DATETIME:
                return "a date or date-time";
            default:
                return "a number";
        }
    }

    State state() {
        return new State(name, forced == null ? null : forced.wireName(), votes.bool(), votes.integer(), votes.number(),
                votes.datetime(), present, missing, numbersAlive ? numbers.state() : null,
                categories == null ? null : categories.state(), categoriesComplete && (categories != null || present == 0),
                sampled, sampleDistinct.size(), sampleLength, sampleWithSpace, problem,
                numbersAlive ? moments.state() : null, distinct == null ? null : distinct.registers(),
                votes.bool() || forced == ColumnType.BOOLEAN ? Map.copyOf(spellings) : Map.of());
    }

    /**
     * What a partition ships to the driver for one column, as JSON (never a Java-serialized Kiln object):
     * {@code numbers} is null once no numeric-like type is left, {@code categories} is null while one is, and
     * {@code categoriesComplete} says whether the counts hold every present value (else the driver counts the
     * column's categories in a second pass); {@code spellings} counts the rows of each spelling of a column that may
     * be boolean (empty otherwise).
     */
    record State(String name, String forced, boolean bool, boolean integer, boolean number, boolean datetime,
                 long present, long missing, QuantileSketch.State numbers, CategoryCounts.State categories,
                 boolean categoriesComplete, long sampled, long sampleDistinct, long sampleLength, long sampleWithSpace,
                 String problem, Moments.State moments, byte[] distinct, Map<String, Long> spellings) {
        TypeVotes votes() {
            return new TypeVotes(bool, integer, number, datetime);
        }
    }
}
