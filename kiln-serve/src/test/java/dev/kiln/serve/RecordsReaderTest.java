package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.schema.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordsReader} reads exactly what Jackson's streaming parse ({@code RecordsStream}) reads from the
 * same bytes, or declines; and it does take the plain shape, whatever the whitespace and value kinds.
 */
class RecordsReaderTest {
    private static final KilnModel MODEL = new ModelHost().load("credit", Fixtures.bundle("credit-gbdt"), "1").model();
    private static final InputChecks CHECKS = InputChecks.of(MODEL);
    private static final List<Field> FIELDS = MODEL.requiredFields();
    private static final Map<String, List<String>> LEVELS = new HashMap<>();

    static {
        for (FeatureTransform t : MODEL.bundle().pipeline().transforms()) {
            if (t instanceof FeatureTransform.OneHot oh) {
                LEVELS.put(oh.column(), oh.levels());
            }
        }
    }

    /** A body and whether the reader must take it (the plain shape, built only of what it promises to read). */
    record Body(String json, boolean plain) {
    }

    private static List<Object[]> jackson(byte[] bytes, List<Object> sent) {
        try {
            return RecordsStream.read(bytes, FIELDS, CHECKS, sent);
        } catch (Exception notPlainOrMalformed) {
            return null;
        }
    }

    @Property(tries = 3000)
    void readsWhatJacksonReadsOrDeclines(@ForAll("bodies") Body body) {
        byte[] bytes = body.json().getBytes(StandardCharsets.UTF_8);
        List<Object[]> fast = RecordsReader.read(bytes, CHECKS, FIELDS.size());
        Statistics.label("taken").collect(fast != null);
        if (body.plain()) {
            assertThat(fast).as("the plain shape is taken: %s", body.json()).isNotNull();
        }
        if (fast == null) {
            return;
        }
        List<Object> sent = new ArrayList<>();
        List<Object[]> slow = jackson(bytes, sent);
        assertThat(slow).as("Jackson reads what the reader took: %s", body.json()).isNotNull();
        assertThat(fast).hasSameSizeAs(slow);
        for (int i = 0; i < fast.size(); i++) {
            Object[] a = fast.get(i);
            Object[] b = slow.get(i);
            assertThat(a).as("instance %d of %s", i, body.json()).hasSameSizeAs(b);
            for (int c = 0; c < a.length; c++) {
                assertThat(a[c]).as("%s in %s", FIELDS.get(c).name(), body.json()).isEqualTo(b[c]);
                if (b[c] != null) {
                    assertThat(a[c]).hasSameClassAs(b[c]);
                }
            }
            // What the prediction log is given: Jackson's path hands on the very array when the keys came in order.
            assertThat(sent.get(i)).isInstanceOf(Object[].class);
        }
    }

    @Test
    void readsTheFixtureRowsWithTheEncodersOwnCategoryStrings() throws Exception {
        List<Map<String, Object>> rows = Fixtures.rows(MODEL);
        byte[] body = InferenceServer.MAPPER.writeValueAsBytes(Map.of("instances", rows));
        List<Object[]> read = RecordsReader.read(body, CHECKS, FIELDS.size());
        assertThat(read).hasSameSizeAs(rows);
        int checked = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < FIELDS.size(); c++) {
                Object value = read.get(i)[c];
                assertThat(value).isEqualTo(rows.get(i).get(FIELDS.get(c).name()));
                List<String> levels = LEVELS.get(FIELDS.get(c).name());
                if (levels != null && levels.contains(value)) {
                    assertThat(levels.stream().anyMatch(l -> l == value)).as(FIELDS.get(c).name()).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(rows.size());
    }

    @Test
    void declinesOtherShapesAndAnotherModelsColumns() {
        Body plain = body(new Random(11), false);
        byte[] ok = plain.json().getBytes(StandardCharsets.UTF_8);
        assertThat(RecordsReader.read(ok, CHECKS, FIELDS.size())).isNotEmpty().allSatisfy(row -> assertThat(row).hasSameSizeAs(FIELDS));
        assertThat(RecordsReader.read(ok, CHECKS, FIELDS.size() + 1)).as("checks of another model").isNull();
        assertThat(RecordsReader.read(ok, InputChecks.NONE, FIELDS.size())).isNull();
        String trimmed = plain.json().strip();
        for (String other : List.of("", "{}", "[]", "{\"instances\":[]}", "{\"instances\":{}}", "{\"inputs\":[]}", "null",
                trimmed + "x", trimmed.substring(0, trimmed.length() - 1))) {
            assertThat(RecordsReader.read(other.getBytes(StandardCharsets.UTF_8), CHECKS, FIELDS.size())).as(other).isNull();
        }
    }

    @Provide
    Arbitrary<Body> bodies() {
        return Arbitraries.randomValue(random -> body(random, random.nextInt(3) == 0));
    }

    private static final String[] SPACES = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    private static final String[] ODD_NUMBERS = {"01", "1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "1.5.2", "NaN",
        "Infinity", "12345678901234567890", "9223372036854775807", "-9223372036854775808", "1" + "0".repeat(70) + ".5"};
    private static final String[] ODD_STRINGS = {"\"a\\\"b\"", "\"tab\\t\"", "\"\\u0041\"", "\"caf\u00e9\"", "\"\u20ac\"",
        "\"line\nbreak\"", "\"ctl\u0001\"", "\"unterminated"};
    private static final String[] ODD_VALUES = {"[1]", "{\"a\":1}", "[]", "tru", "nul", "falsey", "True", "'x'"};

    private static String space(Random r) {
        return SPACES[r.nextInt(SPACES.length)];
    }

    /** A records body for the fixture model; with {@code odd}, one or more things the reader must decline or match. */
    private static Body body(Random r, boolean odd) {
        boolean plain = true;
        StringBuilder s = new StringBuilder();
        s.append(space(r)).append('{').append(space(r));
        if (odd && r.nextInt(8) == 0) {
            s.append("\"parameters\":{}").append(space(r)).append(',').append(space(r));
            plain = false;
        }
        s.append("\"instances\"").append(space(r)).append(':').append(space(r)).append('[').append(space(r));
        int instances = 1 + r.nextInt(3);
        for (int i = 0; i < instances; i++) {
            if (i > 0) {
                s.append(',').append(space(r));
            }
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < FIELDS.size(); c++) {
                order.add(c);
            }
            if (odd && r.nextInt(10) == 0) {
                java.util.Collections.swap(order, r.nextInt(order.size()), r.nextInt(order.size()));
                plain = false; // (a swap of a column with itself leaves it plain; declining is then allowed, not required)
            }
            if (odd && r.nextInt(10) == 0) {
                order.remove(r.nextInt(order.size()));
                plain = false;
            }
            if (odd && r.nextInt(10) == 0) {
                order.add(r.nextInt(order.size() + 1), r.nextBoolean() ? -1 : order.get(0));
                plain = false;
            }
            s.append('{').append(space(r));
            for (int k = 0; k < order.size(); k++) {
                if (k > 0) {
                    s.append(',').append(space(r));
                }
                int c = order.get(k);
                String name = c < 0 ? "extra" : FIELDS.get(c).name();
                s.append('"').append(name).append('"').append(space(r)).append(':').append(space(r));
                String value;
                if (odd && r.nextInt(12) == 0) {
                    String[] pool = r.nextInt(3) == 0 ? ODD_NUMBERS : r.nextBoolean() ? ODD_STRINGS : ODD_VALUES;
                    value = pool[r.nextInt(pool.length)];
                    plain = false;
                } else {
                    value = plainValue(r, c < 0 ? null : FIELDS.get(c));
                }
                s.append(value).append(space(r));
            }
            s.append('}').append(space(r));
        }
        s.append(']').append(space(r)).append('}').append(space(r));
        String json = s.toString();
        if (odd && r.nextInt(8) == 0) {
            json = json.substring(0, r.nextInt(json.length()));
            plain = false;
        } else if (odd && r.nextInt(10) == 0) {
            json = json + (r.nextBoolean() ? "x" : "{}");
            plain = false;
        }
        return new Body(json, plain);
    }

    /** A value the reader promises to read: a known or other ASCII category, a number in its range, a literal. */
    private static String plainValue(Random r, Field f) {
        List<String> levels = f == null ? null : LEVELS.get(f.name());
        switch (r.nextInt(levels != null ? 3 : 4)) {
            case 0 -> {
                if (levels != null) {
                    return '"' + levels.get(r.nextInt(levels.size())) + '"';
                }
                return Long.toString(r.nextInt(5) == 0 ? r.nextLong() % 1_000_000_000_000_000_000L : r.nextInt(20_000) - 100);
            }
            case 1 -> {
                String[] numbers = {"0", "-0", "-0.0", "0.5", "12.25", "1e3", "1E-2", "-2.5e+10", "3.14159265358979",
                    "123456789012345678", "-123456789012345678", "1e400", "4.9e-324", "100"};
                return numbers[r.nextInt(numbers.length)];
            }
            case 2 -> {
                StringBuilder t = new StringBuilder("\"");
                int len = r.nextInt(8);
                for (int i = 0; i < len; i++) {
                    char c;
                    do {
                        c = (char) (' ' + r.nextInt(95));
                    } while (c == '"' || c == '\\');
                    t.append(c);
                }
                return t.append('"').toString();
            }
            default -> {
                String[] literals = {"true", "false", "null"};
                return literals[r.nextInt(3)];
            }
        }
    }
}
