package dev.kiln.app.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of one mapping of a YAML file, each mistake an input error naming the file and the key path
 * ({@code train.algorithms[1]}), as the alert rules file reports its fields.
 */
final class YamlFields {
    private final String file;
    private final JsonNode node;
    private final String path;

    YamlFields(String file, JsonNode node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    KilnException error(String key, String message) {
        String at = at(key);
        return new KilnException(ErrorCode.INVALID_ARGUMENT, file + ": " + at + ": " + message, Map.of("file", file, "key", at));
    }

    String at(String key) {
        return key == null ? (path.isEmpty() ? "(top level)" : path) : path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return node.has(key) && !node.get(key).isNull();
    }

    /** Refuses keys outside {@code known}, suggesting the nearest one (a typo is the usual cause). */
    void onlyKeys(Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!known.contains(k)) {
                String nearest = known.stream().min(Comparator.comparingInt(x -> distance(x, k))).orElse(null);
                String hint = nearest != null && distance(nearest, k) <= Math.max(2, k.length() / 3)
                        ? " (did you mean '" + nearest + "'?)" : "";
                throw error(k, "unknown key" + hint + "; known keys here: " + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    YamlFields section(String key) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw error(key, "must be a mapping of keys to values, not " + kind(n));
        }
        return new YamlFields(file, n, at(key));
    }

    java.util.Iterator<Map.Entry<String, JsonNode>> rawFields() {
        return node.fields();
    }

    JsonNode raw(String key) {
        return node.get(key);
    }

    String text(String key, boolean required) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw error(key, "is required");
            }
            return null;
        }
        if (!n.isValueNode() || n.isBinary()) {
            throw error(key, "must be a single value, not " + kind(n));
        }
        String s = n.asText().trim();
        if (s.isEmpty()) {
            throw error(key, "must not be empty");
        }
        return s;
    }

    String choice(String key, String dflt, List<String> allowed) {
        String v = text(key, false);
        if (v == null) {
            return dflt;
        }
        if (!allowed.contains(v)) {
            throw error(key, "must be one of " + String.join(", ", allowed) + ", not '" + v + "'");
        }
        return v;
    }

    Double number(String key, double min, double max) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw error(key, "must be a number, not " + kind(n));
        }
        double v = n.asDouble();
        if (v < min || v > max) {
            throw error(key, "must be between " + plain(min) + " and " + plain(max) + ", not " + plain(v));
        }
        return v;
    }

    Long whole(String key, long min, long max) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw error(key, "must be a whole number, not " + kind(n));
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw error(key, "must be between " + min + " and " + max + ", not " + v);
        }
        return v;
    }

    Boolean bool(String key) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw error(key, "must be true or false, not " + kind(n));
        }
        return n.asBoolean();
    }

    /** A list of names; a single value is a list of one. */
    List<String> names(String key) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (n.isValueNode()) {
            out.add(n.asText().trim());
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (!e.isValueNode() || e.isNull() || e.asText().isBlank()) {
                    throw error(key + "[" + i + "]", "must be a name, not " + kind(e));
                }
                out.add(e.asText().trim());
            }
        } else {
            throw error(key, "must be a list, not " + kind(n));
        }
        return out;
    }

    List<Integer> wholes(String key, int min, int max) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.isEmpty()) {
            throw error(key, "must be a non-empty list of whole numbers");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || e.asLong() < min || e.asLong() > max) {
                throw error(key + "[" + i + "]", "must be a whole number from " + min + " to " + max + ", not " + kind(e));
            }
            out.add(e.asInt());
        }
        return out;
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "nothing";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        return "'" + n.asText() + "'";
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Levenshtein distance, for suggestions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
