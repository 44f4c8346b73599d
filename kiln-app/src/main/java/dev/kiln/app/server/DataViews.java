package dev.kiln.app.server;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.store.StoredDataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The wire form of dataset versions and their profiles (snake_case, ISO-8601 times). */
final class DataViews {
    private DataViews() {
    }

    static Map<String, Object> version(StoredDataset d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("version", d.version());
        m.put("sha256", d.version());
        m.put("source", d.source());
        m.put("bytes", d.totalBytes());
        m.put("files", d.files().stream().map(f -> {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name());
            fm.put("sha256", f.sha256());
            fm.put("bytes", f.bytes());
            return fm;
        }).toList());
        m.put("created_by", d.createdBy());
        m.put("created_at", Views.time(d.createdAt()));
        return m;
    }

    /**
     * Per column: type, non-missing count, missing count and rate, distinct values; numbers (and datetimes, in epoch
     * milliseconds) a summary with quantiles and an equal-width histogram ({@code edges} one longer than {@code counts});
     * categories, text and booleans their most frequent values with counts, and {@code other_count} for the rest. A
     * boolean has no numeric summary: its answers, in its file's words, are the whole story (a 0..1 histogram is not).
     */
    static Map<String, Object> profile(DatasetProfile p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", p.rows());
        m.put("columns", p.columns().stream().map(DataViews::column).toList());
        return m;
    }

    private static Map<String, Object> column(ColumnProfile c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("type", c.type());
        m.put("count", c.count());
        m.put("missing", c.missing());
        m.put("missing_rate", c.missingFraction());
        m.put("distinct", c.distinct());
        if (c.min() != null && !c.type().equals("boolean")) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("min", c.min());
            n.put("max", c.max());
            n.put("mean", c.mean());
            n.put("std", c.std());
            n.put("quantiles", c.quantiles());
            if (c.histogram() != null) {
                n.put("histogram", Map.of("edges", c.histogram().edges(), "counts", c.histogram().counts()));
            }
            m.put("numeric", n);
        } else {
            m.put("numeric", null);
        }
        List<ColumnProfile.CategoryCount> top = c.topCategories();
        if (top != null) {
            m.put("top", top.stream().map(t -> {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("value", t.value());
                tm.put("count", t.count());
                tm.put("fraction", t.fraction());
                return tm;
            }).toList());
            m.put("other_count", c.count() - top.stream().mapToLong(ColumnProfile.CategoryCount::count).sum());
        } else {
            m.put("top", null);
            m.put("other_count", null);
        }
        return m;
    }
}
