package dev.kiln.train.search;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a user's narrowing of a {@link SearchSpace} ({@code --search-space}): comma-separated
 * {@code algorithm.parameter=low..high} (a range) or {@code algorithm.parameter=value} (fixed), e.g.
 * {@code gbdt.max_depth=3..6,gbdt.learning_rate=0.05,linear.C=0.01..1}. The values must lie in the space's
 * range (or be the trainer's default).
 */
final class SearchSpaceNarrowing {
    static final String OPTION = "--search-space";

    private SearchSpaceNarrowing() {
    }

    static SearchSpace apply(SearchSpace space, String spec) {
        if (spec == null || spec.isBlank()) {
            return space;
        }
        Map<String, List<Dimension>> result = new LinkedHashMap<>();
        space.byAlgorithm().forEach((k, v) -> result.put(k, new ArrayList<>(v)));
        for (String part : spec.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw error("'" + item + "' is not key=value or key=low..high (e.g. gbdt.max_depth=3..6)", item);
            }
            String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = item.substring(eq + 1).trim();
            int dot = key.indexOf('.');
            List<Dimension> dims = dot < 0 ? null : result.get(key.substring(0, dot));
            int index = dims == null ? -1 : indexOf(dims, key.substring(dot + 1));
            if (index < 0) {
                List<String> keys = space.keys();
                throw error("unknown key '" + key + "'" + suggestion(key, keys) + "; known keys: "
                        + String.join(", ", keys), key);
            }
            Dimension d = dims.get(index);
            double low;
            double high;
            int range = value.indexOf("..");
            if (range >= 0) {
                low = number(key, value.substring(0, range), d);
                high = number(key, value.substring(range + 2), d);
            } else {
                low = number(key, value, d);
                high = low;
            }
            if (low > high) {
                throw error(key + ": range " + value + " is empty (low above high)", key);
            }
            if (!d.accepts(low) || !d.accepts(high)) {
                throw error(key + "=" + value + " is outside the allowed range " + d.rangeText()
                        + (d.accepts(d.defaultValue()) && !(d.defaultValue() >= d.low() && d.defaultValue() <= d.high())
                        ? " (or its default " + Dimension.format(d.defaultValue()) + ")" : ""), key);
            }
            dims.set(index, d.narrowed(low, high));
        }
        return new SearchSpace(result);
    }

    private static int indexOf(List<Dimension> dims, String name) {
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i).name().toLowerCase(Locale.ROOT).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static double number(String key, String text, Dimension d) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw error(key + ": '" + text.trim() + "' is not a number", key);
        }
        if (!Double.isFinite(v)) {
            throw error(key + ": '" + text.trim() + "' is not a finite number", key);
        }
        if ((d.scale() == Dimension.Scale.INT || d.scale() == Dimension.Scale.CAP) && v != Math.rint(v)) {
            throw error(key + " takes whole numbers, got " + text.trim(), key);
        }
        return v;
    }

    private static String suggestion(String key, List<String> keys) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : keys) {
            int d = levenshtein(key, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? " (did you mean '" + best + "'?)" : "";
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static KilnException error(String message, String key) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, OPTION + ": " + message, Map.of("option", OPTION,
                "key", key));
    }
}
