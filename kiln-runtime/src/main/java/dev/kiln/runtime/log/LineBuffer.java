package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.SerializableString;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** A byte buffer reused line after line (its array is read in place). */
public final class LineBuffer extends ByteArrayOutputStream {
    public LineBuffer() {
        super(2048);
    }

    public byte[] bytes() {
        return buf;
    }

    /** Room for {@code n} more bytes. */
    void ensure(int n) {
        if (count + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
        }
    }

    /** Appends a byte there is room for (see {@link #ensure}); unlike {@code write}, not synchronized. */
    void putUnchecked(byte b) {
        buf[count++] = b;
    }

    void put(byte b) {
        ensure(1);
        buf[count++] = b;
    }

    void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, count, bytes.length);
        count += bytes.length;
    }

    /** Appends a JSON string whose content is already escaped UTF-8, in quotes. */
    void putQuoted(SerializableString escaped) {
        byte[] bytes = escaped.asQuotedUTF8();
        ensure(bytes.length + 2);
        buf[count++] = '"';
        System.arraycopy(bytes, 0, buf, count, bytes.length);
        count += bytes.length;
        buf[count++] = '"';
    }

    /** Removes the last {@code n} bytes. */
    void drop(int n) {
        count -= Math.min(n, count);
    }

    /** Appends a string known to be ASCII, one byte per char. */
    void putAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[count + i] = (byte) s.charAt(i);
        }
        count += n;
    }

    @Override
    public void reset() {
        super.reset();
        if (buf.length > 1 << 20) {
            buf = new byte[2048];  // do not keep a huge line's buffer
        }
    }
}
