package dev.kiln.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Random runs and random filters and orders over them, from small vocabularies so that comparisons hit: equal
 * values, ties, missing keys, NaN, like metacharacters and quotes. Also a messy but equivalent text for a filter
 * (other spellings, spacing, case, extra parentheses) and the in-memory order a search must agree with.
 */
final class RandomRuns {
    static final List<String> METRICS = List.of("auc", "loss", "my-metric", "f1");
    static final List<String> KEYS = List.of("algo", "lr", "odd key", "note");
    static final List<String> TEXTS = List.of("gbdt", "GBDT", "linear", "a_b", "a%b", "ab", "it's", "x\\y", "", "0.1", "q\"uote");
    static final double[] NUMBERS = {0.0, 0.5, 0.8, 0.81, -1.5, 1e-3, 2.5e6};

    private final Random random;

    RandomRuns(long seed) {
        this.random = new Random(seed);
    }

    /** Fills {@code n} runs into {@code experiment}: random names, statuses, params, tags and metrics (some NaN, some stepped). */
    List<Run> fill(TrackingStore tracking, String experiment, int n) {
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> tags = new HashMap<>();
            for (String k : KEYS) {
                if (random.nextInt(3) == 0) {
                    tags.put(k, pick(TEXTS));
                }
            }
            Run r = tracking.startRun(experiment, null, random.nextInt(5) == 0 ? null : pick(TEXTS) + i % 3, tags);
            Map<String, String> params = new HashMap<>();
            for (String k : KEYS) {
                if (random.nextInt(2) == 0) {
                    params.put(k, pick(TEXTS));
                }
            }
            tracking.logParams(r.id(), params);
            for (String m : METRICS) {
                int points = random.nextInt(3);
                for (int p = 0; p < points; p++) {
                    double v = random.nextInt(12) == 0 ? Double.NaN : NUMBERS[random.nextInt(NUMBERS.length)];
                    tracking.logMetric(r.id(), m, v, random.nextInt(3));
                }
            }
            if (random.nextBoolean()) {
                tracking.endRun(r.id(), random.nextBoolean() ? RunStatus.FINISHED : RunStatus.FAILED);
            }
            runs.add(tracking.run(r.id()).orElseThrow());
        }
        return runs;
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    RunKey key(boolean numeric) {
        if (numeric) {
            return random.nextInt(5) == 0 ? RunKey.attribute(random.nextBoolean() ? "start_time" : "end_time") : RunKey.metric(pick(METRICS));
        }
        return switch (random.nextInt(4)) {
            case 0 -> RunKey.param(pick(KEYS));
            case 1 -> RunKey.tag(pick(KEYS));
            default -> RunKey.attribute(pick(List.of("status", "name", "run_id", "experiment")));
        };
    }

    /** A random filter of about {@code size} comparisons; times come from {@code runs}. */
    RunFilter filter(int size, List<Run> runs) {
        if (size <= 1) {
            return comparison(runs);
        }
        int left = 1 + random.nextInt(size - 1);
        return switch (random.nextInt(5)) {
            case 0, 1 -> new RunFilter.And(filter(left, runs), filter(size - left, runs));
            case 2, 3 -> new RunFilter.Or(filter(left, runs), filter(size - left, runs));
            default -> new RunFilter.Not(filter(size - 1, runs));
        };
    }

    RunFilter comparison(List<Run> runs) {
        boolean numeric = random.nextBoolean();
        RunKey key = key(numeric);
        if (numeric) {
            RunFilter.Op op = pick(List.of(RunFilter.Op.EQ, RunFilter.Op.NE, RunFilter.Op.LT, RunFilter.Op.LE, RunFilter.Op.GT, RunFilter.Op.GE));
            double v;
            if (key.isTime() && !runs.isEmpty()) {
                Instant t = pick(runs).startedAt();
                v = t.toEpochMilli() + random.nextInt(3) - 1;
            } else {
                v = random.nextInt(6) == 0 ? random.nextGaussian() : NUMBERS[random.nextInt(NUMBERS.length)];
            }
            return new RunFilter.Compare(key, op, v == 0 ? 0.0 : v);
        }
        boolean status = key.kind() == RunKey.Kind.ATTRIBUTE && key.name().equals("status");
        String value = textFor(key, runs);
        int kind = random.nextInt(6);
        if (kind == 0) {
            List<String> values = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                values.add(textFor(key, runs)); // statuses come in lower case already
            }
            return new RunFilter.In(key, random.nextBoolean(), values);
        }
        if (kind == 1) {
            String p = pattern(value);
            return new RunFilter.Compare(key, random.nextBoolean() ? RunFilter.Op.LIKE : RunFilter.Op.ILIKE,
                    status ? p.toLowerCase(Locale.ROOT) : p); // the parser reads statuses in lower case
        }
        return new RunFilter.Compare(key, random.nextBoolean() ? RunFilter.Op.EQ : RunFilter.Op.NE, value);
    }

    private String textFor(RunKey key, List<Run> runs) {
        if (key.kind() == RunKey.Kind.ATTRIBUTE) {
            switch (key.name()) {
                case "status":
                    return pick(List.of("running", "finished", "failed", "killed"));
                case "run_id":
                    return runs.isEmpty() || random.nextInt(4) == 0 ? "nope" : pick(runs).id();
                case "experiment":
                    return runs.isEmpty() || random.nextInt(4) == 0 ? "other" : runs.get(0).experiment();
                default:
                    break;
            }
        }
        return pick(TEXTS) + (key.kind() == RunKey.Kind.ATTRIBUTE && random.nextBoolean() ? String.valueOf(random.nextInt(3)) : "");
    }

    /** A like pattern built from a value: some characters swapped for wildcards, some metacharacters escaped. */
    String pattern(String value) {
        StringBuilder b = new StringBuilder();
        for (char ch : value.toCharArray()) {
            int r = random.nextInt(8);
            if (r == 0) {
                b.append('_');
            } else if (r == 1) {
                b.append('%');
            } else if ((ch == '%' || ch == '_') && random.nextBoolean()) {
                b.append('\\').append(ch);
            } else if (r == 2) {
                b.append(Character.isUpperCase(ch) ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
            } else {
                b.append(ch);
            }
        }
        if (random.nextInt(3) == 0) {
            b.append('%');
        }
        return b.toString();
    }

    RunOrder order() {
        return new RunOrder(key(random.nextBoolean()), random.nextBoolean());
    }

    /**
     * The order a search must give: by the keys (numbers as numbers, text byte for byte), runs without a key (or
     * with a NaN metric) last either way, ties by creation, newest first (the store's tie-breaker).
     * {@code created} lists the runs in the order they were created.
     */
    static Comparator<Run> comparator(List<RunOrder> orders, List<Run> created) {
        Map<String, Integer> seq = new HashMap<>();
        for (int i = 0; i < created.size(); i++) {
            seq.put(created.get(i).id(), i);
        }
        Comparator<Run> c = (a, b) -> 0;
        for (RunOrder o : orders) {
            Comparator<Run> byKey = (a, b) -> {
                Comparable<Object> x = value(a, o.key());
                Comparable<Object> y = value(b, o.key());
                if (x == null || y == null) {
                    return x == null ? (y == null ? 0 : 1) : -1;
                }
                int cmp = x.compareTo(y);
                return o.ascending() ? cmp : -cmp;
            };
            c = c.thenComparing(byKey);
        }
        return c.thenComparing((a, b) -> Integer.compare(seq.get(b.id()), seq.get(a.id())));
    }

    @SuppressWarnings("unchecked")
    private static Comparable<Object> value(Run run, RunKey key) {
        if (key.isNumeric()) {
            Double d = RunFilter.Values.number(run, key);
            return d == null || d.isNaN() ? null : (Comparable<Object>) (Object) d;
        }
        if (key.kind() == RunKey.Kind.ATTRIBUTE && key.name().equals("status")) {
            return (Comparable<Object>) (Object) run.status().name();
        }
        return (Comparable<Object>) (Object) RunFilter.Values.text(run, key);
    }

    /** The filter written another way that must parse to the same filter. */
    String messy(RunFilter f) {
        if (f instanceof RunFilter.And a) {
            return wrap(messy(a.left()), a.left(), true) + sp() + word("and") + sp() + wrap(messy(a.right()), a.right(), false);
        }
        if (f instanceof RunFilter.Or o) {
            return wrap(messy(o.left()), o.left(), o.left() instanceof RunFilter.And) + sp() + word("or") + sp()
                    + wrap(messy(o.right()), o.right(), false);
        }
        if (f instanceof RunFilter.Not n) {
            String inner = messy(n.inner());
            boolean binary = n.inner() instanceof RunFilter.And || n.inner() instanceof RunFilter.Or;
            return word("not") + sp() + (binary ? "(" + inner + ")" : random.nextBoolean() ? inner : "(" + ws() + inner + ws() + ")");
        }
        if (f instanceof RunFilter.Compare c) {
            String op = switch (c.op()) {
                case EQ -> random.nextBoolean() ? "=" : "==";
                case NE -> random.nextBoolean() ? "!=" : "<>";
                case LIKE, ILIKE -> " " + word(c.op().symbol()) + " ";
                default -> c.op().symbol();
            };
            String value = c.value() instanceof Double d ? number(d, c.key()) : quote((String) c.value());
            return key(c.key()) + ws() + op + ws() + value;
        }
        RunFilter.In in = (RunFilter.In) f;
        StringBuilder b = new StringBuilder(key(in.key())).append(sp()).append(in.negated() ? word("not") + sp() : "").append(word("in"))
                .append(ws()).append('(');
        for (int i = 0; i < in.values().size(); i++) {
            b.append(i == 0 ? ws() : ws() + "," + ws()).append(quote(in.values().get(i)));
        }
        return b.append(ws()).append(')').toString();
    }

    /** A left operand of the same operator may or may not be in parentheses; others as printing needs. */
    private String wrap(String text, RunFilter child, boolean optional) {
        boolean binary = child instanceof RunFilter.And || child instanceof RunFilter.Or;
        if (!binary) {
            return random.nextInt(4) == 0 ? "(" + text + ")" : text;
        }
        boolean needed = !optional || (child instanceof RunFilter.Or);
        return needed || random.nextBoolean() ? "(" + ws() + text + ws() + ")" : text;
    }

    private String number(double d, RunKey key) {
        if (key.isTime() && random.nextBoolean() && d == Math.rint(d) && d > 0) {
            return "'" + Instant.ofEpochMilli((long) d) + "'";
        }
        return random.nextBoolean() ? Double.toString(d) : String.format(Locale.ROOT, "%.17e", d);
    }

    private String key(RunKey k) {
        String prefix = switch (k.kind()) {
            case METRIC -> pick(List.of("metrics", "metric", "METRICS"));
            case PARAM -> pick(List.of("params", "param"));
            case TAG -> pick(List.of("tags", "tag"));
            case ATTRIBUTE -> pick(List.of("attributes", "attribute", "attr", "run"));
        };
        String name = k.kind() == RunKey.Kind.ATTRIBUTE && random.nextBoolean() ? k.name().toUpperCase(Locale.ROOT) : k.name();
        boolean plain = name.matches("[A-Za-z_][A-Za-z0-9_.-]*");
        return prefix + "." + (plain && random.nextBoolean() ? name : "`" + name.replace("`", "``") + "`");
    }

    private String quote(String s) {
        if (random.nextBoolean()) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\"\"") + "\"";
        }
        return "'" + s.replace("\\", "\\\\").replace("'", random.nextBoolean() ? "''" : "\\'") + "'";
    }

    private String word(String w) {
        return random.nextBoolean() ? w : w.toUpperCase(Locale.ROOT);
    }

    /** Whitespace that must be there (around words). */
    private String sp() {
        return pick(List.of(" ", "  ", "\n", " \t"));
    }

    private String ws() {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "  ";
            case 2 -> "\n";
            default -> " ";
        };
    }
}
