package dev.kiln.serve;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.log.InputFlag;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Out-of-range checks of one loaded model, computed once when it is loaded: numbers outside the training
 * {@code [min, max]} of the bundle's reference profile, and categories the fitted one-hot encoding never saw.
 * Rows are flagged, never refused. Only columns of the model's schema are checked (so metric labels stay bounded).
 */
final class InputChecks {
    static final String ABOVE_MAX = "above_training_max";
    static final String BELOW_MIN = "below_training_min";
    static final String UNSEEN = "unseen_category";

    /**
     * One flagged value. A string value is quoted up to {@link LogFormat#MAX_FLAG_VALUE_CHARS} chars, with
     * {@code valueLength} its full length (null when quoted whole): the value itself is in the row already, and a flag
     * repeats it in every answer and log line (a 1 MB category would be written twice).
     */
    record Flag(String column, Object value, Integer valueLength, String reason) implements InputFlag {
        /** The flag of {@code value}, quoted as the class comment says. */
        Flag(String column, Object value, String reason) {
            this(column, value instanceof String s ? LogFormat.flagValue(s) : value,
                    value instanceof String s && s.length() > LogFormat.MAX_FLAG_VALUE_CHARS ? s.length() : null, reason);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(LogFormat.COLUMN, column);
            m.put(LogFormat.VALUE, value);
            if (valueLength != null) {
                m.put(LogFormat.VALUE_LENGTH, valueLength);
            }
            m.put(LogFormat.REASON, reason);
            return m;
        }
    }

    /** {@code index}: the column's position in the model's required fields. */
    private record Range(String column, int index, double min, double max) {
    }

    private record Levels(String column, int index, Set<String> levels) {
    }

    private final Range[] ranges;
    private final Levels[] levels;

    /** Column name → position in the model's required fields (used to read request bodies straight into arrays). */
    private final Map<String, Integer> columnIndex;

    /**
     * Per position in the model's required fields, the categories its encoding knows, as an open-addressing table
     * (null for a column without any): see {@link #known}.
     */
    private final String[][] known;

    /** The model's required fields' names, by position, interned (see {@link #column}). */
    private final String[] names;

    /** The same names in UTF-8, by position: what {@link RecordsReader} compares a body's keys with. */
    private final byte[][] nameBytes;

    private InputChecks(List<Range> ranges, List<Levels> levels, Map<String, Integer> columnIndex, String[][] known) {
        this.ranges = ranges.toArray(new Range[0]);
        this.levels = levels.toArray(new Levels[0]);
        this.columnIndex = Map.copyOf(columnIndex);
        this.known = known;
        this.names = new String[columnIndex.size()];
        columnIndex.forEach((name, at) -> names[at] = name.intern());
        this.nameBytes = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            nameBytes[i] = names[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final InputChecks NONE = new InputChecks(List.of(), List.of(), Map.of(), new String[0][]);

    /**
     * The position of column {@code name} in the model's required fields, or -1 if it is not one; {@code at}: the
     * key's place in its instance, where a client that sends the columns in the model's order puts it. That case
     * needs no map lookup: Jackson interns the keys it reads, and {@link #names} are interned, so one reference
     * comparison confirms it.
     */
    int column(String name, int at) {
        if (at < names.length && names[at] == name) {
            return at;
        }
        Integer c = columnIndex.get(name);
        return c == null ? -1 : c;
    }

    /** How many columns the model requires. */
    int width() {
        return names.length;
    }

    /** The name of the column at {@code column} in UTF-8 (not to be changed). */
    byte[] nameBytes(int column) {
        return nameBytes[column];
    }

    static InputChecks of(KilnModel model) {
        Map<String, ColumnType> schema = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (Field f : model.requiredFields()) {
            schema.put(f.name(), f.type());
            index.put(f.name(), index.size());
        }
        List<Range> ranges = new ArrayList<>();
        DatasetProfile profile = model.bundle().referenceProfile();
        if (profile != null) {
            for (ColumnProfile c : profile.columns()) {
                ColumnType t = schema.get(c.name());
                if ((t == ColumnType.NUMERIC || t == ColumnType.INTEGER) && c.min() != null && c.max() != null
                        && Double.isFinite(c.min()) && Double.isFinite(c.max())) {
                    ranges.add(new Range(c.name(), index.get(c.name()), c.min(), c.max()));
                }
            }
        }
        List<Levels> levels = new ArrayList<>();
        String[][] known = new String[index.size()][];
        if (model.bundle().pipeline() != null) {
            for (FeatureTransform t : model.bundle().pipeline().transforms()) {
                // One-hot and category codes alike: a level outside the list lands in the unknown bucket or NaN.
                List<String> kept = t instanceof FeatureTransform.OneHot oh ? oh.levels()
                        : t instanceof FeatureTransform.CategoryCode codes ? codes.levels() : null;
                if (kept != null && schema.containsKey(t.column())) {
                    int column = index.get(t.column());
                    levels.add(new Levels(t.column(), column, new HashSet<>(kept)));
                    known[column] = knownTable(kept);
                }
            }
        }
        return new InputChecks(ranges, levels, index, known);
    }

    /** An open-addressing table (linear probing, at most half full) of the distinct non-null {@code categories}. */
    private static String[] knownTable(List<String> categories) {
        int size = 2;
        while (size < 2 * categories.size()) {
            size <<= 1;
        }
        String[] table = new String[size];
        for (String c : categories) {
            if (c == null) {
                continue;
            }
            int slot = spread(c.hashCode()) & (size - 1);
            while (table[slot] != null && !table[slot].equals(c)) {
                slot = (slot + 1) & (size - 1);
            }
            table[slot] = c;
        }
        return table;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /**
     * The category the model's encoding knows for the column at {@code column} whose characters are
     * {@code text[offset, offset + length)}, as the very instance the encoder's and these checks' tables hold, so that
     * looking it up there needs neither hashing nor comparing characters again; null if the column has none equal
     * (the caller then makes its own string). Lets a request's categories be read without a copy each.
     */
    String known(int column, char[] text, int offset, int length) {
        String[] table = column < known.length ? known[column] : null;
        if (table == null) {
            return null;
        }
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + text[offset + i]; // String.hashCode's definition, so the table's strings' cached hashes compare
        }
        int mask = table.length - 1;
        for (int slot = spread(h) & mask; ; slot = (slot + 1) & mask) {
            String s = table[slot];
            if (s == null) {
                return null;
            }
            if (s.hashCode() == h && s.length() == length && sameChars(s, text, offset)) {
                return s;
            }
        }
    }

    /** As {@link #known(int, char[], int, int)}, for text of ASCII bytes (one char each). */
    String known(int column, byte[] text, int offset, int length) {
        String[] table = column < known.length ? known[column] : null;
        if (table == null) {
            return null;
        }
        int h = 0;
        for (int i = 0; i < length; i++) {
            h = 31 * h + text[offset + i];
        }
        int mask = table.length - 1;
        for (int slot = spread(h) & mask; ; slot = (slot + 1) & mask) {
            String s = table[slot];
            if (s == null) {
                return null;
            }
            if (s.hashCode() == h && s.length() == length && sameBytes(s, text, offset)) {
                return s;
            }
        }
    }

    private static boolean sameBytes(String s, byte[] text, int offset) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != text[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameChars(String s, char[] text, int offset) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != text[offset + i]) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return ranges.length == 0 && levels.length == 0;
    }

    /** The flags of one row (as given to the scoring API; nulls and values of another kind are not flagged). */
    List<Flag> check(Map<String, ?> row) {
        List<Flag> flags = null;
        for (Range r : ranges) {
            if (row.get(r.column) instanceof Number n) {
                double d = n.doubleValue();
                String reason = d > r.max ? ABOVE_MAX : d < r.min ? BELOW_MIN : null;
                if (reason != null) {
                    (flags == null ? flags = new ArrayList<>(2) : flags).add(new Flag(r.column, n, reason));
                }
            }
        }
        for (Levels l : levels) {
            if (row.get(l.column) instanceof String s && !l.levels.contains(s)) {
                (flags == null ? flags = new ArrayList<>(2) : flags).add(new Flag(l.column, s, UNSEEN));
            }
        }
        return flags == null ? List.of() : flags;
    }

    /** As {@link #check(Map)}, for raw values aligned with the model's required fields. */
    List<Flag> check(Object[] values) {
        List<Flag> flags = null;
        for (Range r : ranges) {
            if (values[r.index] instanceof Number n) {
                double d = n.doubleValue();
                String reason = d > r.max ? ABOVE_MAX : d < r.min ? BELOW_MIN : null;
                if (reason != null) {
                    (flags == null ? flags = new ArrayList<>(2) : flags).add(new Flag(r.column, n, reason));
                }
            }
        }
        for (Levels l : levels) {
            if (values[l.index] instanceof String s && !l.levels.contains(s)) {
                (flags == null ? flags = new ArrayList<>(2) : flags).add(new Flag(l.column, s, UNSEEN));
            }
        }
        return flags == null ? List.of() : flags;
    }
}
