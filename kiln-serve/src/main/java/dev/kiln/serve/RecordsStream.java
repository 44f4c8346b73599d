package dev.kiln.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.http.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@code {"instances": [{...}, ...]}} as a stream: one array of raw values (String, Boolean, Long, Double, null,
 * or {@link #ABSENT}) per instance, aligned with the model's fields; with {@code sent}, each instance as sent too, for
 * the prediction log: the same array when the instance had exactly the model's columns in the model's order (nothing
 * more is kept), else a {@link PredictionLog.Sent} (the array, the other fields, the key order). The records body
 * that {@link RecordsReader} does not take (escapes, another key order, extra keys) comes here; anything else throws
 * {@link NotPlain} and goes to the tree path, which names what is wrong.
 */
final class RecordsStream {
    /** Marks a value absent from an instance (not the same as a JSON null, which means missing and is imputed). */
    static final Object ABSENT = new Object();

    /** Thrown for anything but a plain well-formed request: the tree path then answers. */
    static final class NotPlain extends Exception {
        private NotPlain() {
            super(null, null, false, false);
        }
    }

    static final NotPlain NOT_PLAIN = new NotPlain();

    private final JsonParser p;
    private final List<Field> fields;
    private final InputChecks checks;
    private final List<Object> sent;
    // The instance being read. For the log: while the keys come as the model's columns in order, only how many came
    // (inOrder); after the first that does not, every key's place (order: a column, or -1 - extra) and the extras.
    private Object[] raw;
    private int inOrder;
    private int[] order;
    private int keys;
    private String[] extraNames;
    private Object[] extraValues;
    private int extras;

    private RecordsStream(JsonParser p, List<Field> fields, InputChecks checks, List<Object> sent) {
        this.p = p;
        this.fields = fields;
        this.checks = checks;
        this.sent = sent;
    }

    /** The instances of a records body (see the class comment); {@code sent}: null when nothing is logged. */
    static List<Object[]> read(byte[] bytes, List<Field> fields, InputChecks checks, List<Object> sent) throws IOException, NotPlain {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(bytes)) {
            return new RecordsStream(p, fields, checks, sent).body();
        }
    }

    private List<Object[]> body() throws IOException, NotPlain {
        List<Object[]> rows = null;
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw NOT_PLAIN;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            t = p.nextToken();
            if (!key.equals("instances")) {
                p.skipChildren();
                continue;
            }
            if (rows != null || t != JsonToken.START_ARRAY) {
                throw NOT_PLAIN;
            }
            rows = new ArrayList<>(4);
            while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                rows.add(instance());
            }
            if (t != JsonToken.END_ARRAY || rows.isEmpty()) {
                throw NOT_PLAIN;
            }
        }
        if (t != JsonToken.END_OBJECT || rows == null || p.nextToken() != null) {
            throw NOT_PLAIN; // trailing content too: the tree path refuses it by name
        }
        return rows;
    }

    /** One instance, from after its '{' to its '}'. */
    private Object[] instance() throws IOException, NotPlain {
        raw = new Object[fields.size()];
        Arrays.fill(raw, ABSENT);
        inOrder = 0;
        order = null;
        keys = 0;
        extraNames = null;
        extraValues = null;
        extras = 0;
        int at = 0; // the key's place in the instance
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            int c = checks.column(name, at++);
            Object value = value(v, c);
            if (c >= 0) {
                column(c, value);
            } else if (sent != null) {
                extra(name, value);
            }
        }
        if (sent != null) {
            sent.add(order == null ? raw : new PredictionLog.Sent(raw, Arrays.copyOf(order, keys),
                    extras == 0 ? new String[0] : Arrays.copyOf(extraNames, extras),
                    extras == 0 ? new Object[0] : Arrays.copyOf(extraValues, extras)));
        }
        return raw;
    }

    /** The value at the parser's token {@code v}, for column {@code c} (negative: not one of the model's). */
    private Object value(JsonToken v, int c) throws IOException, NotPlain {
        switch (v) {
            case VALUE_STRING -> {
                String known = c < 0 ? null : checks.known(c, p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                return known != null ? known : p.getText();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType nt = p.getNumberType();
                if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                    throw NOT_PLAIN;
                }
                return p.getLongValue();
            }
            default -> {
                if (c >= 0) {
                    throw NOT_PLAIN; // a container as a column value: the tree path names it
                }
                if (sent == null) {
                    p.skipChildren();
                    return null;
                }
                return p.readValueAsTree();
            }
        }
    }

    /** A value of one of the model's columns; a key sent again keeps its first place and takes the last value. */
    private void column(int col, Object value) {
        if (sent != null && raw[col] == ABSENT) {
            if (order == null && col == inOrder) {
                inOrder++;
            } else {
                place(col);
            }
        }
        raw[col] = value;
    }

    /** A key that is none of the model's columns, kept for the log (sent again: first place, last value). */
    private void extra(String name, Object value) {
        for (int k = 0; k < extras; k++) {
            if (extraNames[k].equals(name)) {
                extraValues[k] = value;
                return;
            }
        }
        if (extraNames == null) {
            extraNames = new String[2];
            extraValues = new Object[2];
        } else if (extras == extraNames.length) {
            extraNames = Arrays.copyOf(extraNames, extras * 2);
            extraValues = Arrays.copyOf(extraValues, extras * 2);
        }
        extraNames[extras] = name;
        extraValues[extras] = value;
        place(-1 - extras);
        extras++;
    }

    /** Records the next key's place: a column, or {@code -1 - extra}. */
    private void place(int where) {
        if (order == null) {
            order = firstKeys(inOrder, fields.size() + 4);
            keys = inOrder;
        } else if (keys == order.length) {
            order = Arrays.copyOf(order, keys * 2);
        }
        order[keys++] = where;
    }

    /** {@code 0, 1, ..., n - 1} in an array of {@code capacity} (at least n). */
    private static int[] firstKeys(int n, int capacity) {
        int[] order = new int[Math.max(n + 1, capacity)];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
