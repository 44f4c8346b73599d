package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.Values;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The byte-level classifier and UTF-8 check agree with {@link Values} and the JDK's strict decoder. */
class ByteTokensPropertiesTest {
    @Provide
    Arbitrary<String> tokens() {
        Arbitrary<String> numberish = Arbitraries.strings().withChars("0123456789+-.eE").ofMinLength(1).ofMaxLength(25);
        Arbitrary<String> doubles = Arbitraries.doubles().map(d -> Double.toString(d));
        Arbitrary<String> words = Arbitraries.of("true", "FALSE", "Yes", "nO", "NA", "n/a", "NaN", "null", "?", "N/A",
                "nul", "yess", "t", "2014-03-01", "2014/03/01", "2014-03-01T12:00:00Z", "2014-02-30", "1e999", "-0",
                "-0.0", "é", "ñA", "İ", "\u212Aelvin", "1234567890123456789", "123456789012345678");
        Arbitrary<String> any = Arbitraries.strings().withChars("0123456789+-.eEnaNA/?ulTtrRuUfFsSyYoO é").ofMaxLength(8);
        Arbitrary<String> decimals = Arbitraries.longs().between(-10_000_000_000_000_000L, 10_000_000_000_000_000L)
                .flatMap(m -> Arbitraries.integers().between(0, 20).flatMap(point -> Arbitraries.integers().between(-30, 30)
                        .map(exp -> {
                            String digits = Long.toString(Math.abs(m));
                            int at = Math.max(0, digits.length() - point);
                            String text = (m < 0 ? "-" : "") + digits.substring(0, at) + "." + digits.substring(at);
                            return exp == 0 ? text : text + "e" + exp;
                        })));
        return Arbitraries.oneOf(numberish, doubles, words, any, decimals);
    }

    @Property(tries = 3000)
    void classifiesAsValuesDoes(@ForAll("tokens") String token) {
        String trimmed = token.trim();
        byte[] bytes = trimmed.getBytes(StandardCharsets.UTF_8);
        ByteTokens tokens = new ByteTokens();
        int kind = tokens.classify(bytes, 0, bytes.length);
        boolean missing = Values.isMissingToken(trimmed);
        double number = missing ? Double.NaN : Values.parseNumber(trimmed);
        assertThat(kind == ByteTokens.MISSING).as(token).isEqualTo(missing);
        if (missing) {
            return;
        }
        boolean isNumber = !Double.isNaN(number);
        assertThat(kind == ByteTokens.INTEGER || kind == ByteTokens.NUMBER).as(token).isEqualTo(isNumber);
        assertThat(kind == ByteTokens.INTEGER).as(token).isEqualTo(isNumber && Values.isInteger(trimmed));
        assertThat(kind == ByteTokens.BOOLEAN).as(token).isEqualTo(Values.isBooleanWord(trimmed));
        double date = isNumber ? Double.NaN : Values.parseDatetime(trimmed);
        assertThat(kind == ByteTokens.DATETIME).as(token).isEqualTo(!Double.isNaN(date));
        if (isNumber) {
            assertThat(Double.doubleToRawLongBits(tokens.value)).as(token).isEqualTo(Double.doubleToRawLongBits(number));
        } else if (kind == ByteTokens.BOOLEAN) {
            assertThat(tokens.value).isEqualTo(Values.parseBoolean(trimmed));
        } else if (kind == ByteTokens.DATETIME) {
            assertThat(tokens.value).isEqualTo(date);
        }
    }

    @Provide
    Arbitrary<byte[]> byteStrings() {
        Arbitrary<Byte> interesting = Arbitraries.of((byte) 0x41, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC2,
                (byte) 0xDF, (byte) 0xE0, (byte) 0xA0, (byte) 0xED, (byte) 0x9F, (byte) 0xEF, (byte) 0xF0, (byte) 0x90,
                (byte) 0xF4, (byte) 0x8F, (byte) 0xF5, (byte) 0xFF, (byte) 0x0A);
        return Arbitraries.oneOf(interesting, Arbitraries.bytes()).array(byte[].class).ofMaxSize(20);
    }

    @Property(tries = 5000)
    void utf8CheckAgreesWithTheStrictDecoder(@ForAll("byteStrings") byte[] bytes) {
        boolean valid;
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            valid = true;
        } catch (CharacterCodingException e) {
            valid = false;
        }
        assertThat(Utf8Check.isValid(bytes, 0, bytes.length)).isEqualTo(valid);
    }
}
