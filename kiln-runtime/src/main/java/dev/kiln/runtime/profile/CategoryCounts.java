package dev.kiln.runtime.profile;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of string values, capped at {@code maxCategories} distinct values (default
 * {@value #DEFAULT_MAX_CATEGORIES}): once that many are held, further NEW values are counted in
 * {@link #other()} (values already held keep counting exactly). Mergeable; when the cap is reached a
 * merge keeps this side's categories first, so the split between named categories and {@code other}
 * can depend on merge order (the totals never do). Missing values are not counted here (see
 * {@link ColumnSketch}).
 */
public final class CategoryCounts {
    public static final int DEFAULT_MAX_CATEGORIES = 1000;

    private final int maxCategories;
    private final Map<String, long[]> counts = new HashMap<>();
    private long other;
    private long count;

    public CategoryCounts() {
        this(DEFAULT_MAX_CATEGORIES);
    }

    public CategoryCounts(int maxCategories) {
        if (maxCategories < 1) {
            throw new IllegalArgumentException("maxCategories must be at least 1, was " + maxCategories);
        }
        this.maxCategories = maxCategories;
    }

    /** Serialisable form; {@code counts} is sorted by value for stable JSON. */
    public record State(int maxCategories, Map<String, Long> counts, long other) {
    }

    public int maxCategories() {
        return maxCategories;
    }

    public void add(String value) {
        add(value, 1);
    }

    /** Adds {@code times} occurrences of {@code value} (non-null). */
    public void add(String value, long times) {
        if (value == null) {
            throw new IllegalArgumentException("category value must not be null (count missing values separately)");
        }
        if (times < 0) {
            throw new IllegalArgumentException("times must not be negative");
        }
        if (times == 0) {
            return;
        }
        long[] c = counts.get(value);
        if (c != null) {
            c[0] += times;
        } else if (counts.size() < maxCategories) {
            counts.put(value, new long[] {times});
        } else {
            other += times;
        }
        count += times;
    }

    public void merge(CategoryCounts o) {
        if (o == this) {
            o = copy();
        }
        for (Map.Entry<String, Long> e : o.counts().entrySet()) {
            add(e.getKey(), e.getValue());
        }
        other += o.other;
        count += o.other;
    }

    public CategoryCounts copy() {
        CategoryCounts c = new CategoryCounts(maxCategories);
        c.merge(this);
        return c;
    }

    /** Values counted, including {@link #other()}. */
    public long count() {
        return count;
    }

    /** Count of each held category, sorted by value. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v[0]));
        return Collections.unmodifiableMap(out);
    }

    /** Count of one category (0 when not held). */
    public long count(String value) {
        long[] c = counts.get(value);
        return c == null ? 0 : c[0];
    }

    /** Occurrences of categories beyond the cap. */
    public long other() {
        return other;
    }

    public int distinct() {
        return counts.size();
    }

    public State state() {
        return new State(maxCategories, counts(), other);
    }

    /** Rebuilds from {@link #state()}; {@link ErrorCode#DATA_MALFORMED} when inconsistent. */
    public static CategoryCounts fromState(State s) {
        if (s == null) {
            throw malformed("state is missing");
        }
        if (s.maxCategories() < 1) {
            throw malformed("maxCategories must be at least 1");
        }
        Map<String, Long> in = s.counts() == null ? Map.of() : s.counts();
        if (in.size() > s.maxCategories()) {
            throw malformed(in.size() + " categories exceed maxCategories " + s.maxCategories());
        }
        if (s.other() < 0) {
            throw malformed("other must not be negative");
        }
        CategoryCounts c = new CategoryCounts(s.maxCategories());
        for (Map.Entry<String, Long> e : in.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue() <= 0) {
                throw malformed("category '" + e.getKey() + "' has count " + e.getValue() + "; counts must be positive");
            }
            c.counts.put(e.getKey(), new long[] {e.getValue()});
            c.count += e.getValue();
        }
        c.other = s.other();
        c.count += s.other();
        return c;
    }

    private static KilnException malformed(String why) {
        return new KilnException(ErrorCode.DATA_MALFORMED, "invalid category counts: " + why, Map.of("reason", why));
    }

    @Override
    public String toString() {
        return "CategoryCounts[count=" + count + ", distinct=" + counts.size() + ", other=" + other + "]";
    }
}
