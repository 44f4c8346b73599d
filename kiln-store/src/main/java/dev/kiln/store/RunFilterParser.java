package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text of a {@link RunFilter}. The grammar (keywords in any case):
 * <pre>
 * filter     := (or)?                                   -- empty: every run
 * or         := and ('or' and)*
 * and        := unary ('and' unary)*
 * unary      := 'not' unary | '(' or ')' | comparison
 * comparison := key op value | key ('in' | 'not' 'in') '(' string (',' string)* ')'
 * key        := prefix '.' (name | '`' any text, `` for a backquote '`')
 * prefix     := metrics | metric | params | param | tags | tag | attributes | attribute | attr | run
 * name       := [A-Za-z0-9_.-]+   (after the prefix's dot)
 * op         := '=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' | 'like' | 'ilike'
 * value      := number (1, -0.5, 1e-3) | string ('…' or "…"; \' \" \\ or a doubled quote inside)
 * </pre>
 * Metrics take numbers and =, !=, &lt;, &lt;=, &gt;, &gt;=; {@code attributes.start_time} and {@code end_time} too,
 * with epoch milliseconds or an ISO-8601 string; parameters, tags and the other attributes (status, name, run_id,
 * experiment) take strings and =, !=, like, ilike, in, not in. Every refusal is INVALID_ARGUMENT naming the
 * 1-based position, what was expected there and what was found.
 */
final class RunFilterParser {
    static final int MAX_LENGTH = 10_000;
    static final int MAX_DEPTH = 50;
    static final int MAX_CONDITIONS = 200;
    static final int MAX_IN_VALUES = 1_000;
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Map<String, RunKey.Kind> PREFIXES = new LinkedHashMap<>();

    static {
        for (String p : List.of("metrics", "metric")) {
            PREFIXES.put(p, RunKey.Kind.METRIC);
        }
        for (String p : List.of("params", "param")) {
            PREFIXES.put(p, RunKey.Kind.PARAM);
        }
        for (String p : List.of("tags", "tag")) {
            PREFIXES.put(p, RunKey.Kind.TAG);
        }
        for (String p : List.of("attributes", "attribute", "attr", "run")) {
            PREFIXES.put(p, RunKey.Kind.ATTRIBUTE);
        }
    }

    private enum Type { WORD, QUOTED_NAME, STRING, NUMBER, OP, LPAREN, RPAREN, COMMA, END }

    /** A token: {@code text} as written, {@code value} the unescaped content of a string or quoted name; pos 0-based. */
    private record Token(Type type, String text, String value, int pos) {
        boolean is(String keyword) {
            return type == Type.WORD && text.equalsIgnoreCase(keyword);
        }

        int end() {
            return pos + text.length();
        }

        String found() {
            if (type == Type.END) {
                return "the end of the filter";
            }
            String t = text.length() > 40 ? text.substring(0, 40) + "…" : text;
            return "'" + t + "'";
        }
    }

    private final String text;
    private final List<Token> tokens;
    private int next;
    private int depth;
    private int conditions;

    private RunFilterParser(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    static RunFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return RunFilter.ALL;
        }
        if (text.length() > MAX_LENGTH) {
            throw error(MAX_LENGTH, "at most " + MAX_LENGTH + " characters", "a longer filter");
        }
        RunFilterParser p = new RunFilterParser(text);
        RunFilter f = p.or();
        Token t = p.peek();
        if (t.type != Type.END) {
            throw error(t.pos, "and, or or the end of the filter", t.found());
        }
        return f;
    }

    /** Parses one key such as {@code metrics.`my-metric`} (an order-by or a column name). */
    static RunKey parseKey(String text, String field) {
        try {
            RunFilterParser p = new RunFilterParser(text == null ? "" : text);
            RunKey key = p.key();
            Token t = p.peek();
            if (t.type != Type.END) {
                throw error(t.pos, "the end of the key", t.found());
            }
            return key;
        } catch (KilnException e) {
            throw withField(e, field);
        }
    }

    /** Splits "metrics.auc DESC" into a key and an optional direction word, for orders. */
    static Map.Entry<RunKey, String> parseKeyAndWord(String text, String field) {
        try {
            RunFilterParser p = new RunFilterParser(text == null ? "" : text);
            RunKey key = p.key();
            Token t = p.peek();
            String word = null;
            if (t.type == Type.WORD) {
                word = t.text;
                p.next++;
                t = p.peek();
            }
            if (t.type != Type.END) {
                throw error(t.pos, "ASC, DESC or the end", t.found());
            }
            return Map.entry(key, word == null ? "" : word);
        } catch (KilnException e) {
            throw withField(e, field);
        }
    }

    private static KilnException withField(KilnException e, String field) {
        Map<String, Object> d = new LinkedHashMap<>(e.details());
        d.put("field", field);
        return new KilnException(e.code(), e.getMessage().replaceFirst("^filter", field), d);
    }

    // ---------------------------------------------------------------- grammar

    private RunFilter or() {
        RunFilter left = and();
        while (peek().is("or")) {
            next++;
            left = new RunFilter.Or(left, and());
        }
        return left;
    }

    private RunFilter and() {
        RunFilter left = unary();
        while (peek().is("and")) {
            next++;
            left = new RunFilter.And(left, unary());
        }
        return left;
    }

    private RunFilter unary() {
        Token t = peek();
        if (t.is("not")) {
            next++;
            enter(t);
            RunFilter inner = unary();
            depth--;
            return new RunFilter.Not(inner);
        }
        if (t.type == Type.LPAREN) {
            next++;
            enter(t);
            RunFilter inner = or();
            Token close = peek();
            if (close.type != Type.RPAREN) {
                throw error(close.pos, "')' to close the '(' at " + (t.pos + 1), close.found());
            }
            next++;
            depth--;
            return inner;
        }
        return comparison();
    }

    private void enter(Token t) {
        if (++depth > MAX_DEPTH) {
            throw error(t.pos, "at most " + MAX_DEPTH + " nested parentheses or nots", t.found());
        }
    }

    private RunFilter comparison() {
        Token start = peek();
        RunKey key = key();
        if (++conditions > MAX_CONDITIONS) {
            throw error(start.pos, "at most " + MAX_CONDITIONS + " comparisons", "more");
        }
        Token opToken = peek();
        String after = " after " + key;
        if (opToken.is("in") || (opToken.is("not") && peekAt(1).is("in"))) {
            boolean negated = opToken.is("not");
            if (key.isNumeric()) {
                throw error(opToken.pos, numericOps() + after, opToken.found());
            }
            next += negated ? 2 : 1;
            return new RunFilter.In(key, negated, inList(key));
        }
        RunFilter.Op op = op(opToken);
        if (op == null) {
            throw error(opToken.pos, "a comparison operator" + after, opToken.found());
        }
        if (key.isNumeric() && op.pattern()) {
            throw error(opToken.pos, numericOps() + after, opToken.found());
        }
        if (!key.isNumeric() && op.ordering()) {
            throw error(opToken.pos, "=, !=, like, ilike, in or not in" + after + " (it compares as text)", opToken.found());
        }
        next++;
        return new RunFilter.Compare(key, op, value(key, key + " " + op.symbol()));
    }

    private static String numericOps() {
        return "=, !=, <, <=, > or >=";
    }

    private static RunFilter.Op op(Token t) {
        if (t.is("like")) {
            return RunFilter.Op.LIKE;
        }
        if (t.is("ilike")) {
            return RunFilter.Op.ILIKE;
        }
        if (t.type != Type.OP) {
            return null;
        }
        return switch (t.text) {
            case "=", "==" -> RunFilter.Op.EQ;
            case "!=", "<>" -> RunFilter.Op.NE;
            case "<" -> RunFilter.Op.LT;
            case "<=" -> RunFilter.Op.LE;
            case ">" -> RunFilter.Op.GT;
            case ">=" -> RunFilter.Op.GE;
            default -> null;
        };
    }

    private Object value(RunKey key, String after) {
        Token t = peek();
        if (key.kind() == RunKey.Kind.METRIC) {
            if (t.type != Type.NUMBER) {
                throw error(t.pos, "a number after " + after, t.found());
            }
            next++;
            return number(t);
        }
        if (key.isTime()) {
            if (t.type == Type.NUMBER) {
                next++;
                return number(t);
            }
            if (t.type == Type.STRING) {
                next++;
                try {
                    return (double) Instant.parse(t.value).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw error(t.pos, "an ISO-8601 UTC time such as '2026-01-31T12:00:00Z' after " + after, t.found());
                }
            }
            throw error(t.pos, "epoch milliseconds or an ISO-8601 time in quotes after " + after, t.found());
        }
        if (t.type != Type.STRING) {
            throw error(t.pos, "a quoted string after " + after, t.found());
        }
        next++;
        return textValue(key, t.value);
    }

    private static String textValue(RunKey key, String v) {
        return key.kind() == RunKey.Kind.ATTRIBUTE && key.name().equals("status") ? v.toLowerCase(Locale.ROOT) : v;
    }

    private static Double number(Token t) {
        double d = Double.parseDouble(t.text);
        if (Double.isInfinite(d)) {
            throw error(t.pos, "a number within the range of a double", t.found());
        }
        return d == 0 ? 0.0 : d; // -0 and 0 are one value
    }

    private List<String> inList(RunKey key) {
        Token open = peek();
        if (open.type != Type.LPAREN) {
            throw error(open.pos, "'(' and a list of quoted strings after in", open.found());
        }
        next++;
        List<String> values = new ArrayList<>();
        while (true) {
            Token v = peek();
            if (v.type != Type.STRING) {
                throw error(v.pos, "a quoted string in the list of in", v.found());
            }
            if (values.size() == MAX_IN_VALUES) {
                throw error(v.pos, "at most " + MAX_IN_VALUES + " values in a list", v.found());
            }
            values.add(textValue(key, v.value));
            next++;
            Token sep = peek();
            next++;
            if (sep.type == Type.RPAREN) {
                return values;
            }
            if (sep.type != Type.COMMA) {
                throw error(sep.pos, "',' or ')' in the list of in", sep.found());
            }
        }
    }

    private RunKey key() {
        Token t = peek();
        String expected = "a key such as metrics.NAME, params.NAME, tags.NAME or attributes.NAME";
        int dot = t.type == Type.WORD ? t.text.indexOf('.') : -1;
        if (dot < 0) {
            throw error(t.pos, expected, t.found());
        }
        RunKey.Kind kind = PREFIXES.get(t.text.substring(0, dot).toLowerCase(Locale.ROOT));
        if (kind == null) {
            throw error(t.pos, expected, t.found());
        }
        next++;
        String name = t.text.substring(dot + 1);
        int namePos = t.pos + dot + 1;
        if (name.isEmpty()) {
            Token quoted = peek();
            if (quoted.type != Type.QUOTED_NAME || quoted.pos != t.end()) {
                throw error(t.end(), "a name or a `quoted name` after " + t.text, quoted.found());
            }
            next++;
            name = quoted.value;
        }
        if (name.length() > 250) {
            throw error(namePos, "a name of at most 250 characters", "a longer one");
        }
        if (kind == RunKey.Kind.ATTRIBUTE) {
            String a = name.toLowerCase(Locale.ROOT);
            if (!RunKey.ATTRIBUTES.contains(a)) {
                throw error(namePos, "an attribute: one of " + String.join(", ", RunKey.ATTRIBUTES), "'" + name + "'");
            }
            return RunKey.attribute(a);
        }
        return new RunKey(kind, name);
    }

    private Token peek() {
        return tokens.get(Math.min(next, tokens.size() - 1));
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(next + ahead, tokens.size() - 1));
    }

    // ---------------------------------------------------------------- tokens

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                out.add(new Token(Type.END, "", "", n));
                return out;
            }
            char ch = s.charAt(i);
            int start = i;
            if (isWordStart(ch)) {
                while (i < n && isWordPart(s.charAt(i))) {
                    i++;
                }
                out.add(new Token(Type.WORD, s.substring(start, i), null, start));
            } else if (startsNumber(s, i)) {
                Matcher m = NUMBER.matcher(s).region(i, n);
                if (!m.lookingAt()) {
                    throw error(i, "a number", "'" + ch + "'");
                }
                i = m.end();
                if (i < n && (isWordPart(s.charAt(i)))) {
                    int end = i;
                    while (end < n && isWordPart(s.charAt(end))) {
                        end++;
                    }
                    throw error(start, "a number", "'" + s.substring(start, end) + "'");
                }
                out.add(new Token(Type.NUMBER, s.substring(start, i), null, start));
            } else if (ch == '\'' || ch == '"') {
                StringBuilder v = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw error(start, "a closing " + ch + " for the string that starts here", "the end of the filter");
                    }
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        char e = s.charAt(i + 1);
                        if (e == '\'' || e == '"' || e == '\\') {
                            v.append(e);
                        } else {
                            v.append(c).append(e); // kept for like: \% and \_ stay literal
                        }
                        i += 2;
                    } else if (c == ch && i + 1 < n && s.charAt(i + 1) == ch) {
                        v.append(ch);
                        i += 2;
                    } else if (c == ch) {
                        i++;
                        break;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
                out.add(new Token(Type.STRING, s.substring(start, i), v.toString(), start));
            } else if (ch == '`') {
                StringBuilder v = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw error(start, "a closing ` for the name that starts here", "the end of the filter");
                    }
                    char c = s.charAt(i);
                    if (c == '`' && i + 1 < n && s.charAt(i + 1) == '`') {
                        v.append('`');
                        i += 2;
                    } else if (c == '`') {
                        i++;
                        break;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
                if (v.length() == 0) {
                    throw error(start, "a name between the backquotes", "``");
                }
                out.add(new Token(Type.QUOTED_NAME, s.substring(start, i), v.toString(), start));
            } else if (ch == '(' || ch == ')' || ch == ',') {
                i++;
                out.add(new Token(ch == '(' ? Type.LPAREN : ch == ')' ? Type.RPAREN : Type.COMMA, String.valueOf(ch), null, start));
            } else if (ch == '=' || ch == '!' || ch == '<' || ch == '>') {
                String two = i + 1 < n ? s.substring(i, i + 2) : "";
                String op = switch (two) {
                    case "==", "!=", "<>", "<=", ">=" -> two;
                    default -> ch == '!' ? null : String.valueOf(ch);
                };
                if (op == null) {
                    throw error(i, "!= (or not)", "'!'");
                }
                i += op.length();
                out.add(new Token(Type.OP, op, null, start));
            } else {
                throw error(i, "a key, an operator, a value or a parenthesis", "'" + new String(Character.toChars(s.codePointAt(i))) + "'");
            }
        }
    }

    private static boolean isWordStart(char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
    }

    private static boolean isWordPart(char ch) {
        return isWordStart(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
    }

    private static boolean startsNumber(String s, int i) {
        char ch = s.charAt(i);
        if (ch >= '0' && ch <= '9') {
            return true;
        }
        if (ch == '.' || ch == '+' || ch == '-') {
            return i + 1 < s.length() && (Character.isDigit(s.charAt(i + 1)) || (s.charAt(i + 1) == '.' && ch != '.'));
        }
        return false;
    }

    /** INVALID_ARGUMENT for the filter at {@code pos0} (0-based; reported 1-based). */
    static KilnException error(int pos0, String expected, String found) {
        int position = pos0 + 1;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", "filter");
        details.put("position", position);
        details.put("expected", expected);
        details.put("found", found);
        return KilnException.answer(ErrorCode.INVALID_ARGUMENT, "filter at " + position + ": expected " + expected + ", found " + found,
                details);
    }
}
