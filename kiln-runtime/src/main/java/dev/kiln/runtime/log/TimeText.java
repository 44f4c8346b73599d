package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/**
 * {@link Instant#toString()} written without building it per row: the text up to the seconds is kept for the
 * latest second seen, the fraction is added as {@code Instant.toString} adds it (none, 3, 6 or 9 digits).
 */
public final class TimeText {
    private long second = Long.MIN_VALUE;
    private final char[] text = new char[64];
    private int prefix;

    void write(JsonGenerator g, Instant t) throws IOException {
        if (t == null) {
            g.writeNull();
            return;
        }
        int len = format(t);
        g.writeString(text, 0, len);
    }

    /** Appends the text {@link #write} writes (ASCII) to {@code out}. */
    void writeTo(LineBuffer out, Instant t) {
        int len = format(t);
        out.ensure(len);
        for (int i = 0; i < len; i++) {
            out.putUnchecked((byte) text[i]);
        }
    }

    /** The text {@link #write} writes (tests compare it with {@code Instant.toString}). */
    public String text(Instant t) {
        return new String(text, 0, format(t));
    }

    private int format(Instant t) {
        long s = t.getEpochSecond();
        if (s != second) {
            String whole = Instant.ofEpochSecond(s).toString();  // ends in 'Z'
            prefix = whole.length() - 1;
            whole.getChars(0, prefix, text, 0);
            second = s;
        }
        int n = prefix;
        int nano = t.getNano();
        if (nano > 0) {
            text[n++] = '.';
            int digits;
            int v;
            if (nano % 1_000_000 == 0) {
                digits = 3;
                v = nano / 1_000_000;
            } else if (nano % 1_000 == 0) {
                digits = 6;
                v = nano / 1_000;
            } else {
                digits = 9;
                v = nano;
            }
            for (int i = n + digits - 1; i >= n; i--) {
                text[i] = (char) ('0' + v % 10);
                v /= 10;
            }
            n += digits;
        }
        text[n++] = 'Z';
        return n;
    }
}
