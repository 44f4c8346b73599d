package dev.kiln.store;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed run filter: comparisons of metrics, parameters, tags and attributes joined by {@code and}, {@code or}
 * and {@code not}. {@link #parse} reads the text form (the grammar is in docs/ui.md and on {@link RunFilterParser});
 * {@link #toString} prints the canonical text, which parses back to an equal filter.
 *
 * <p>What a comparison means, the same in SQL ({@link RunSearchSql}) and in {@link #matches}: a comparison on a key
 * the run does not have (no such metric, parameter or tag, no end time, no name), or on a metric whose latest value
 * is NaN, is false; {@code not} negates it, so {@code not metrics.x > 1} holds for runs without {@code x}.
 * Metrics and times compare as numbers, everything else as text, byte for byte; {@code like} is case-sensitive,
 * {@code ilike} folds ASCII letters; {@code %} matches any run of characters, {@code _} one character, and a
 * backslash makes the next one literal. Statuses compare in lower case.
 */
public sealed interface RunFilter {
    /** The filter that lets every run through (an empty text). */
    RunFilter ALL = new All();

    /**
     * Parses a filter; null or blank text is {@link #ALL}. A malformed text is INVALID_ARGUMENT with details
     * {@code field: "filter"}, {@code position} (1-based), {@code expected} and {@code found}.
     */
    static RunFilter parse(String text) {
        return RunFilterParser.parse(text);
    }

    /** Whether {@code run} passes: the reference meaning that the SQL of a search must agree with. */
    boolean matches(Run run);

    /** Comparison operators. The numeric ones apply to metrics and times; like and ilike to text. */
    enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), LIKE("like"), ILIKE("ilike");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** Operators that order values: only for numbers. */
        public boolean ordering() {
            return this == LT || this == LE || this == GT || this == GE;
        }

        public boolean pattern() {
            return this == LIKE || this == ILIKE;
        }
    }

    /** Every run. */
    record All() implements RunFilter {
        @Override
        public boolean matches(Run run) {
            return true;
        }

        @Override
        public String toString() {
            return "";
        }
    }

    record And(RunFilter left, RunFilter right) implements RunFilter {
        @Override
        public boolean matches(Run run) {
            return left.matches(run) && right.matches(run);
        }

        @Override
        public String toString() {
            return Printing.operand(left, this, false) + " and " + Printing.operand(right, this, true);
        }
    }

    record Or(RunFilter left, RunFilter right) implements RunFilter {
        @Override
        public boolean matches(Run run) {
            return left.matches(run) || right.matches(run);
        }

        @Override
        public String toString() {
            return Printing.operand(left, this, false) + " or " + Printing.operand(right, this, true);
        }
    }

    record Not(RunFilter inner) implements RunFilter {
        @Override
        public boolean matches(Run run) {
            return !inner.matches(run);
        }

        @Override
        public String toString() {
            return "not " + (inner instanceof And || inner instanceof Or ? "(" + inner + ")" : inner.toString());
        }
    }

    /**
     * {@code key op value}: {@code value} is a Double for metrics and times (epoch milliseconds), else a String
     * (a status in lower case).
     */
    record Compare(RunKey key, Op op, Object value) implements RunFilter {
        public Compare {
            if (key.isNumeric() ? !(value instanceof Double d) || d.isNaN() || d.isInfinite() || op.pattern()
                    : !(value instanceof String) || op.ordering()) {
                throw new IllegalArgumentException("cannot compare " + key + " " + op.symbol() + " " + value);
            }
        }

        @Override
        public boolean matches(Run run) {
            if (key.isNumeric()) {
                Double v = Values.number(run, key);
                if (v == null || v.isNaN()) {
                    return false;
                }
                double x = (Double) value;
                return switch (op) {
                    case EQ -> v == x;
                    case NE -> v != x;
                    case LT -> v < x;
                    case LE -> v <= x;
                    case GT -> v > x;
                    case GE -> v >= x;
                    default -> false;
                };
            }
            String v = Values.text(run, key);
            if (v == null) {
                return false;
            }
            String x = (String) value;
            return switch (op) {
                case EQ -> v.equals(x);
                case NE -> !v.equals(x);
                case LIKE -> Patterns.like(x, false).matcher(v).matches();
                case ILIKE -> Patterns.like(x, true).matcher(Patterns.foldAscii(v)).matches();
                default -> false;
            };
        }

        @Override
        public String toString() {
            return key + " " + op.symbol() + " " + (value instanceof Double d ? d.toString() : Printing.quote((String) value));
        }
    }

    /** {@code key in ('a', 'b')} or {@code key not in (…)}, on text keys. */
    record In(RunKey key, boolean negated, List<String> values) implements RunFilter {
        public In {
            if (key.isNumeric() || values.isEmpty()) {
                throw new IllegalArgumentException("in needs a text key and at least one value");
            }
            values = List.copyOf(values);
        }

        @Override
        public boolean matches(Run run) {
            String v = Values.text(run, key);
            return v != null && values.contains(v) != negated;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(key.toString()).append(negated ? " not in (" : " in (");
            for (int i = 0; i < values.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(Printing.quote(values.get(i)));
            }
            return b.append(')').toString();
        }
    }

    /** How a run's values are read for {@link #matches}. */
    final class Values {
        private Values() {
        }

        static Double number(Run run, RunKey key) {
            if (key.kind() == RunKey.Kind.METRIC) {
                return run.latestMetrics().get(key.name());
            }
            Instant t = key.name().equals("start_time") ? run.startedAt() : run.endedAt();
            return t == null ? null : (double) t.toEpochMilli();
        }

        static String text(Run run, RunKey key) {
            return switch (key.kind()) {
                case PARAM -> run.params().get(key.name());
                case TAG -> run.tags().get(key.name());
                case ATTRIBUTE -> attribute(run, key.name());
                default -> null;
            };
        }

        private static String attribute(Run run, String name) {
            return switch (name) {
                case "status" -> run.status().name().toLowerCase(Locale.ROOT);
                case "name" -> run.name();
                case "run_id" -> run.id();
                case "experiment" -> run.experiment();
                default -> null;
            };
        }
    }

    /** like patterns as regular expressions. */
    final class Patterns {
        private Patterns() {
        }

        static Pattern like(String pattern, boolean ignoreAsciiCase) {
            String p = ignoreAsciiCase ? foldAscii(pattern) : pattern;
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < p.length(); i++) {
                char ch = p.charAt(i);
                if (ch == '\\' && i + 1 < p.length()) {
                    re.append(Pattern.quote(String.valueOf(p.charAt(++i))));
                } else if (ch == '%') {
                    re.append(".*");
                } else if (ch == '_') {
                    re.append('.');
                } else {
                    re.append(Pattern.quote(String.valueOf(ch)));
                }
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL);
        }

        /** A to Z in lower case, every other character as it is (what SQLite's LIKE folds). */
        static String foldAscii(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
            }
            return b.toString();
        }
    }

    /** The canonical text: parentheses only where precedence needs them (not, then and, then or). */
    final class Printing {
        private Printing() {
        }

        static String operand(RunFilter child, RunFilter parent, boolean right) {
            boolean binary = child instanceof And || child instanceof Or;
            boolean needs = binary && (right || (parent instanceof And && child instanceof Or));
            return needs ? "(" + child + ")" : child.toString();
        }

        static String quote(String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
    }
}
