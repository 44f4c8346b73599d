package dev.kiln.serve.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: the {@code X-Request-Id} a caller sent (1 to 128 visible characters), or a fresh one. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private RequestIds() {
    }

    /** Whether {@code id} is a request id a caller may name (in the header or in feedback). */
    public static boolean valid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** The id a request goes by: the one it gave, if valid, else a fresh one. */
    public static String of(String given) {
        return valid(given) ? given : fresh();
    }

    /**
     * A random (version 4) UUID from {@link ThreadLocalRandom}: request ids need to be unique, not unpredictable, and
     * {@link UUID#randomUUID()} draws on a shared {@link java.security.SecureRandom}.
     */
    public static String fresh() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
