package dev.kiln.app.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A JSON request body: an object whose fields are checked by type, each failure naming the field (400). */
final class Body {
    private final ObjectNode node;

    private Body(ObjectNode node) {
        this.node = node;
    }

    /** An empty body reads as {@code {}}, so a missing required field is named like any other. */
    static Body parse(String text) {
        if (text == null || text.isBlank()) {
            return new Body(JsonNodeFactory.instance.objectNode());
        }
        JsonNode n;
        try {
            n = ApiJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            if (e.getLocation() == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the request body is not valid JSON: " + e.getOriginalMessage());
            }
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")",
                    Map.of("line", e.getLocation().getLineNr(), "column", e.getLocation().getColumnNr()));
        }
        if (!(n instanceof ObjectNode o)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the request body must be a JSON object, not " + kind(n));
        }
        return new Body(o);
    }

    /** Refuses fields other than {@code allowed} (a misspelt optional field would otherwise be ignored silently). */
    Body allow(String... allowed) {
        Set<String> ok = Set.of(allowed);
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(f -> {
            if (!ok.contains(f)) {
                unknown.add(f);
            }
        });
        if (!unknown.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unknown field" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(f -> "'" + f + "'").toList()) + " (allowed: " + String.join(", ", allowed) + ")",
                    Map.of("field", unknown.get(0)));
        }
        return this;
    }

    boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    /** The field is there, even if null; otherwise 400 naming it. */
    Body require(String field, String what) {
        if (!node.has(field)) {
            throw missing(field, what);
        }
        return this;
    }

    String string(String field) {
        String s = optString(field);
        if (s == null) {
            throw missing(field, "a string");
        }
        return s;
    }

    String optString(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, "a string", v);
        }
        return v.asText();
    }

    int integer(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw missing(field, "an integer");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(field, "an integer", v);
        }
        return v.intValue();
    }

    long optLong(String field, long otherwise) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, "an integer", v);
        }
        return v.longValue();
    }

    double number(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw missing(field, "a number");
        }
        return number(field, v);
    }

    Double optNumber(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : number(field, v);
    }

    boolean optBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, "true or false", v);
        }
        return v.booleanValue();
    }

    /** An optional object of scalars (strings, numbers, booleans), as text. */
    Map<String, String> optScalars(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw wrongType(field, "an object", v);
        }
        return scalars((ObjectNode) v, field + ".");
    }

    /** An object of numbers. */
    Map<String, Double> numbers(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw missing(field, "an object of numbers");
        }
        if (!v.isObject() || v.isEmpty()) {
            throw wrongType(field, "a non-empty object of numbers", v);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), number(field + "." + e.getKey(), e.getValue()));
        }
        return out;
    }

    /** The whole body as a non-empty object of scalars ({@code {"lr": 0.1, "depth": "3"}}), as text. */
    Map<String, String> asScalars() {
        if (node.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the request body must be a non-empty JSON object of names to values");
        }
        return scalars(node, "");
    }

    private static Map<String, String> scalars(ObjectNode o, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
                throw wrongType(prefix + e.getKey(), "a string, number or boolean", v);
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    private static double number(String field, JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual() && (v.asText().equals("NaN") || v.asText().endsWith("Infinity"))) {
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                throw wrongType(field, "a number", v);
            }
        }
        throw wrongType(field, "a number", v);
    }

    private static KilnException missing(String field, String what) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "field '" + field + "' is required (" + what + ")", Map.of("field", field));
    }

    private static KilnException wrongType(String field, String what, JsonNode got) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "field '" + field + "' must be " + what + ", not " + kind(got),
                Map.of("field", field));
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "null";
        }
        if (n.isTextual()) {
            String t = n.asText();
            return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "…" : t) + "\"";
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        return n.isArray() ? "an array" : "an object";
    }
}
