package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.log.TimeText;
import dev.kiln.runtime.log.FieldNames;
import dev.kiln.runtime.log.LineBuffer;
import dev.kiln.runtime.log.GeneratorRowSerializer;
import dev.kiln.runtime.log.DirectRowSerializer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link DirectRowSerializer#write} writes a row byte for byte as the generator ({@link GeneratorRowSerializer#writeRow})
 * does, or declines; and it takes the common row.
 */
class PredictionLogDirectTest {

    /** A row and whether the direct writer must take it. */
    record Case(PredictionLog.Row row, boolean plain) {
    }

    private static String generated(PredictionLog.Row row) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (JsonGenerator g = InferenceServer.MAPPER.getFactory().createGenerator(buf)) {
            GeneratorRowSerializer.writeRow(g, row, new TimeText(), new FieldNames());
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Property(tries = 2000)
    void writesTheGeneratorsBytesOrDeclines(@ForAll("rows") Case c) throws Exception {
        LineBuffer out = new LineBuffer();
        out.write('x'); // not at the start of the buffer
        boolean taken = DirectRowSerializer.write(out, c.row(), new TimeText(), new FieldNames());
        Statistics.label("taken").collect(taken);
        if (c.plain()) {
            assertThat(taken).as("a plain row is taken: %s", c.row()).isTrue();
        }
        if (taken) {
            String direct = new String(Arrays.copyOfRange(out.bytes(), 1, out.size()), StandardCharsets.UTF_8);
            assertThat(direct).isEqualTo(generated(c.row()));
        }
    }

    private static final String[] PLAIN_TEXT = {"", "good", "bad", "existing paid", "1<=X<4", "a/b", "x'y", "~{}[]:,", "0"};
    private static final String[] ODD_TEXT = {"caf\u00e9", "\u20ac", "quote\"", "back\\slash", "tab\t", "nl\n", "\u0001", "\u007f",
        "\ud83d\ude00", "\ud800"};
    /** For names and labels: a lone surrogate there fails either writer alike (their encoding refuses it). */
    private static final String[] ODD_NAMES = Arrays.copyOf(ODD_TEXT, ODD_TEXT.length - 1);

    @Provide
    Arbitrary<Case> rows() {
        return Arbitraries.randomValue(random -> row(random, random.nextInt(3) == 0));
    }

    private static Case row(Random r, boolean odd) {
        boolean[] plain = {true};
        int width = 1 + r.nextInt(6);
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            // Column names may be anything: they go through the generator's own escaping either way.
            String name = odd && r.nextInt(5) == 0 ? "col" + ODD_NAMES[r.nextInt(ODD_NAMES.length)] + i : "col_" + i;
            fields.add(new Field(name, ColumnType.CATEGORICAL, true));
        }
        Object[] columns = new Object[width];
        for (int i = 0; i < width; i++) {
            columns[i] = value(r, odd, plain);
        }
        Map<String, Double> probabilities = null;
        if (r.nextInt(6) != 0) {
            probabilities = new LinkedHashMap<>();
            int classes = r.nextInt(4);
            for (int k = 0; k < classes; k++) {
                String label = odd && r.nextInt(5) == 0 ? ODD_NAMES[r.nextInt(ODD_NAMES.length)] + k : "class" + k;
                Double p = odd && r.nextInt(8) == 0 ? (r.nextBoolean() ? (Double) null : Double.valueOf(Double.NaN)) : Double.valueOf(r.nextDouble());
                if (p != null && p.isNaN()) {
                    plain[0] = false;
                }
                probabilities.put(label, p);
            }
        }
        Object prediction = r.nextInt(4) == 0 ? (Object) (r.nextDouble() * 1000) : "class" + r.nextInt(3);
        List<InputChecks.Flag> flags = List.of();
        if (r.nextInt(4) == 0) {
            flags = List.of(new InputChecks.Flag("col_0", value(r, odd, plain), InputChecks.ABOVE_MAX),
                    new InputChecks.Flag("col_1", r.nextInt(3) == 0 ? "martian".repeat(40) : "martian", InputChecks.UNSEEN));
        }
        String requestId = odd && r.nextInt(10) == 0 ? text(r, true, plain) : "r-" + r.nextInt(1000);
        String id = r.nextInt(4) == 0 ? text(r, odd, plain) : null;
        Instant time = r.nextInt(10) == 0 ? null : Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1000), r.nextInt(1_000_000_000));
        double latency = r.nextInt(10) == 0 ? Double.MIN_VALUE : r.nextDouble() * 10;
        Object inputs = columns;
        if (odd && r.nextInt(6) == 0) {
            inputs = Map.of("col_0", "x");
            plain[0] = false;
        }
        PredictionLog.Row row = new PredictionLog.Row(requestId, id, time, "credit", r.nextBoolean() ? "1" : "gbdt-7", r.nextInt(5),
                fields, inputs, prediction, probabilities, flags, latency);
        return new Case(row, plain[0]);
    }

    private static String text(Random r, boolean odd, boolean[] plain) {
        if (odd && r.nextInt(3) == 0) {
            plain[0] = false;
            return ODD_TEXT[r.nextInt(ODD_TEXT.length)];
        }
        return PLAIN_TEXT[r.nextInt(PLAIN_TEXT.length)];
    }

    private static Object value(Random r, boolean odd, boolean[] plain) {
        switch (r.nextInt(odd ? 8 : 7)) {
            case 0 -> {
                return null;
            }
            case 1 -> {
                return r.nextBoolean();
            }
            case 2 -> {
                return r.nextLong() >> r.nextInt(64);
            }
            case 3 -> {
                return r.nextInt();
            }
            case 4 -> {
                double[] special = {0.0, -0.0, 1e-300, 4.9e-324, 1e21, 123456789.125, 0.1};
                return r.nextBoolean() ? special[r.nextInt(special.length)] : r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
            }
            case 5, 6 -> {
                return text(r, odd, plain);
            }
            default -> {
                plain[0] = false;
                Object[] others = {Double.NaN, Double.POSITIVE_INFINITY, 1.5f, new java.math.BigDecimal("1.25"), List.of(1, 2)};
                return others[r.nextInt(others.length)];
            }
        }
    }
}
