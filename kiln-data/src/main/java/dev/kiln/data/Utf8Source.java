package dev.kiln.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of a byte stream. We decode ourselves instead of using InputStreamReader
 * because that reader throws on a bad byte and discards the characters decoded before it in the same
 * chunk; here every good character before the bad byte is handed out first, so the parser can name
 * the exact line, and only then {@link BadBytes} is thrown.
 */
final class Utf8Source {
    /** Thrown once every character before an invalid byte sequence has been read. */
    static final class BadBytes extends IOException {
        final long byteOffset;
        final String hex;

        BadBytes(long byteOffset, String hex) {
            super("invalid UTF-8 bytes " + hex + " at byte offset " + byteOffset);
            this.byteOffset = byteOffset;
            this.hex = hex;
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private long bytesRead;
    private boolean inputEnded;
    private boolean done;
    private BadBytes error;

    Utf8Source(InputStream in) {
        this.in = in;
    }

    /** Like {@link java.io.Reader#read(char[], int, int)}: at least one char, or -1 at the end. */
    int read(char[] dst, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        CharBuffer out = CharBuffer.wrap(dst, off, len);
        while (error == null) {
            CoderResult cr = decoder.decode(bytes, out, inputEnded);
            if (cr.isError()) {
                error = badBytes(cr.length());
                break;
            }
            if (cr.isOverflow() || out.position() > off) {
                break;
            }
            if (inputEnded) {
                decoder.flush(out);
                done = out.position() == off;
                break;
            }
            fill();
        }
        int n = out.position() - off;
        if (n > 0) {
            return n;
        }
        if (error != null) {
            throw error;
        }
        return -1;
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            inputEnded = true;
        } else {
            bytes.position(bytes.position() + n);
            bytesRead += n;
        }
        bytes.flip();
    }

    private BadBytes badBytes(int length) {
        long offset = bytesRead - bytes.remaining();
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length && i < bytes.remaining(); i++) {
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(String.format("0x%02X", bytes.get(bytes.position() + i) & 0xFF));
        }
        return new BadBytes(offset, hex.toString());
    }
}
