package dev.kiln.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A run search as SQL over {@code runs r JOIN experiments e}: the filter as a WHERE expression and the order as LEFT
 * JOINs and ORDER BY terms. User text only ever travels as bound parameters ({@link #args}); what is written into
 * the SQL comes from this class. Each comparison is a plain boolean (never NULL), so {@code NOT} means what
 * {@link RunFilter#matches} says.
 */
final class RunSearchSql {
    private final Db.Dialect dialect;

    RunSearchSql(Db.Dialect dialect) {
        this.dialect = dialect;
    }

    /** A piece of SQL and the values of its placeholders, in order. */
    record Part(String sql, List<Object> args) {
    }

    Part where(RunFilter f) {
        List<Object> args = new ArrayList<>();
        String sql = where(f, args);
        return new Part(sql, args);
    }

    private String where(RunFilter f, List<Object> args) {
        if (f instanceof RunFilter.All) {
            return "1 = 1";
        }
        if (f instanceof RunFilter.And a) {
            return "(" + where(a.left(), args) + " AND " + where(a.right(), args) + ")";
        }
        if (f instanceof RunFilter.Or o) {
            return "(" + where(o.left(), args) + " OR " + where(o.right(), args) + ")";
        }
        if (f instanceof RunFilter.Not n) {
            return "(NOT " + where(n.inner(), args) + ")";
        }
        if (f instanceof RunFilter.Compare c) {
            return compare(c, args);
        }
        RunFilter.In in = (RunFilter.In) f;
        String list = (in.negated() ? "NOT IN (" : "IN (") + Db.marks(in.values().size()) + ")";
        if (in.key().kind() == RunKey.Kind.ATTRIBUTE) {
            String col = attribute(in.key().name());
            args.addAll(in.values());
            return "(" + col + " IS NOT NULL AND " + col + " " + list + ")";
        }
        args.add(in.key().name());
        args.addAll(in.values());
        return "r.id IN (SELECT run_id FROM " + table(in.key()) + " WHERE name = ? AND value " + list + ")";
    }

    private String compare(RunFilter.Compare c, List<Object> args) {
        RunKey key = c.key();
        if (key.kind() == RunKey.Kind.ATTRIBUTE) {
            String col = attribute(key.name());
            return "(" + col + " IS NOT NULL AND " + col + " " + test(c.op(), c.value(), args) + ")";
        }
        args.add(key.name()); // the name's placeholder comes before the value's
        return "r.id IN (SELECT run_id FROM " + table(key) + " WHERE name = ? AND value " + test(c.op(), c.value(), args) + ")";
    }

    /** {@code op ?} for the dialect, adding the bound value. */
    private String test(RunFilter.Op op, Object value, List<Object> args) {
        if (op == RunFilter.Op.LIKE || op == RunFilter.Op.ILIKE) {
            String pattern = (String) value;
            if (dialect == Db.Dialect.SQLITE && op == RunFilter.Op.LIKE) {
                args.add(glob(pattern)); // SQLite's LIKE ignores ASCII case; GLOB does not
                return "GLOB ?";
            }
            args.add(escapedLike(pattern));
            String word = op == RunFilter.Op.LIKE || dialect == Db.Dialect.SQLITE ? "LIKE" : "ILIKE";
            return word + " ? ESCAPE '\\'";
        }
        args.add(value);
        return switch (op) {
            case EQ -> "= ?";
            case NE -> "<> ?";
            case LT -> "< ?";
            case LE -> "<= ?";
            case GT -> "> ?";
            case GE -> ">= ?";
            default -> throw new IllegalStateException(op.toString());
        };
    }

    /** The column of an attribute (statuses compared in lower case, as the API shows them). */
    static String attribute(String name) {
        return switch (name) {
            case "status" -> "LOWER(r.status)";
            case "name" -> "r.name";
            case "run_id" -> "r.id";
            case "experiment" -> "e.name";
            case "start_time" -> "r.started_at";
            case "end_time" -> "r.ended_at";
            default -> throw new IllegalStateException("unknown attribute " + name);
        };
    }

    static String table(RunKey key) {
        return switch (key.kind()) {
            case METRIC -> "latest_metrics";
            case PARAM -> "run_params";
            case TAG -> "run_tags";
            default -> throw new IllegalStateException(key.toString());
        };
    }

    /** Text sorts byte for byte on both databases (PostgreSQL's default collation would follow the locale). */
    String textOrder(String col) {
        return dialect == Db.Dialect.POSTGRESQL ? col + " COLLATE \"C\"" : col;
    }

    /**
     * A like pattern in the form both databases read alike with {@code ESCAPE '\'}: every escaped character
     * kept escaped only where it matters, and a trailing lone backslash made literal (PostgreSQL refuses it).
     */
    static String escapedLike(String pattern) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\') {
                char lit = i + 1 < pattern.length() ? pattern.charAt(++i) : '\\';
                b.append(lit == '%' || lit == '_' || lit == '\\' ? "\\" + lit : String.valueOf(lit));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** A like pattern as a SQLite GLOB: % is *, _ is ?, and GLOB's own special characters made literal. */
    static String glob(String pattern) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\') {
                b.append(globLiteral(i + 1 < pattern.length() ? pattern.charAt(++i) : '\\'));
            } else if (ch == '%') {
                b.append('*');
            } else if (ch == '_') {
                b.append('?');
            } else {
                b.append(globLiteral(ch));
            }
        }
        return b.toString();
    }

    private static String globLiteral(char ch) {
        return switch (ch) {
            case '*' -> "[*]";
            case '?' -> "[?]";
            case '[' -> "[[]";
            default -> String.valueOf(ch);
        };
    }
}
