package dev.kiln.store;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A column of a run that a filter tests or a search orders by: a metric (its latest value), a parameter, a tag, or
 * one of the run's attributes ({@link #ATTRIBUTES}). Written {@code metrics.roc_auc}, {@code params.`max-depth`}.
 */
public record RunKey(Kind kind, String name) {
    /** Where a key's value comes from; {@code prefix} is how it is written. */
    public enum Kind {
        METRIC("metrics"), PARAM("params"), TAG("tags"), ATTRIBUTE("attributes");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    /** The attributes a filter or an order may name. start_time and end_time are times; the rest are strings. */
    public static final List<String> ATTRIBUTES = List.of("status", "name", "run_id", "start_time", "end_time", "experiment");
    /** Names written without backquotes. */
    static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    public RunKey {
        if (kind == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a run key needs a kind and a name");
        }
    }

    public static RunKey metric(String name) {
        return new RunKey(Kind.METRIC, name);
    }

    public static RunKey param(String name) {
        return new RunKey(Kind.PARAM, name);
    }

    public static RunKey tag(String name) {
        return new RunKey(Kind.TAG, name);
    }

    public static RunKey attribute(String name) {
        return new RunKey(Kind.ATTRIBUTE, name.toLowerCase(Locale.ROOT));
    }

    /** Reads one key as a filter writes it ({@code metrics.`my-metric`}); INVALID_ARGUMENT naming {@code field}. */
    public static RunKey parse(String text, String field) {
        return RunFilterParser.parseKey(text, field);
    }

    /**
     * Reads keys separated by commas ({@code metrics.auc,params.`a,b`}: commas inside backquotes belong to the name);
     * an empty text is no keys.
     */
    public static List<RunKey> parseList(String text, String field) {
        List<RunKey> out = new java.util.ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || (text.charAt(i) == ',' && !quoted)) {
                String part = text.substring(start, i);
                if (!part.isBlank()) {
                    out.add(parse(part, field));
                }
                start = i + 1;
            } else if (text.charAt(i) == '`') {
                quoted = !quoted; // a doubled backquote flips twice
            }
        }
        return out;
    }

    /** start_time and end_time: compared as times (epoch milliseconds or ISO-8601). */
    public boolean isTime() {
        return kind == Kind.ATTRIBUTE && (name.equals("start_time") || name.equals("end_time"));
    }

    /** Metrics and times compare as numbers; everything else as text. */
    public boolean isNumeric() {
        return kind == Kind.METRIC || isTime();
    }

    /** The canonical spelling, which {@link RunFilter#parse} reads back: {@code metrics.auc}, {@code params.`a b`}. */
    @Override
    public String toString() {
        return kind.prefix + "." + (PLAIN.matcher(name).matches() ? name : "`" + name.replace("`", "``") + "`");
    }
}
