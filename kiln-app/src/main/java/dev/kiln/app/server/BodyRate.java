package dev.kiln.app.server;

import jakarta.servlet.Filter;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How slowly a request body may arrive: after {@code grace}, at least {@code minBytesPerSecond} on average
 * (counted from when the request reached the server, so the grace is a head start, not a pause allowed again
 * and again). A body that falls behind fails its next read with {@link TooSlow}, which the server answers with
 * 408 {@code request_timeout} and a closed connection. Jetty 12 keeps {@code HttpConfiguration.minRequestDataRate}
 * but no longer enforces it, hence this filter. A body that stops arriving altogether is ended by Jetty's idle
 * timeout (30 s), which fails the blocked read.
 */
record BodyRate(long minBytesPerSecond, Duration grace) {
    /** 16 KiB/s after 10 s: a 64 MiB upload may take over an hour; a trickle of a few bytes a second is cut off. */
    static final BodyRate DEFAULT = new BodyRate(16 * 1024, Duration.ofSeconds(10));

    BodyRate {
        if (minBytesPerSecond < 1 || grace.isNegative()) {
            throw new IllegalArgumentException("a body rate needs a positive minimum and a grace period of zero or more");
        }
    }

    /** A body read that fell behind the rate. */
    static final class TooSlow extends IOException {
        private final long bytes;
        private final long elapsedMillis;

        TooSlow(long bytes, long elapsedMillis, BodyRate rate) {
            super("the request body arrived too slowly: " + bytes + " bytes in " + elapsedMillis + " ms; after "
                    + rate.grace().toMillis() + " ms it must keep up " + rate.minBytesPerSecond() + " bytes/s");
            this.bytes = bytes;
            this.elapsedMillis = elapsedMillis;
        }

        long bytes() {
            return bytes;
        }

        long elapsedMillis() {
            return elapsedMillis;
        }
    }

    /** Wraps each request so that whoever reads its body (Javalin for JSON, the upload routes raw) reads it through the bound. */
    Filter filter(LongSupplier nanoTime) {
        return (request, response, chain) -> {
            if (request instanceof HttpServletRequest http) {
                long start = nanoTime.getAsLong();
                chain.doFilter(new HttpServletRequestWrapper(http) {
                    private ServletInputStream bounded;

                    @Override
                    public ServletInputStream getInputStream() throws IOException {
                        if (bounded == null) {
                            bounded = new Bounded(super.getInputStream(), start, nanoTime);
                        }
                        return bounded;
                    }
                }, response);
            } else {
                chain.doFilter(request, response);
            }
        };
    }

    private final class Bounded extends ServletInputStream {
        private final ServletInputStream in;
        private final long start;
        private final LongSupplier nanoTime;
        private long bytes;

        Bounded(ServletInputStream in, long start, LongSupplier nanoTime) {
            this.in = in;
            this.start = start;
            this.nanoTime = nanoTime;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                check(n);
            }
            return n;
        }

        /** After a read that returned bytes: a body that has ended is never too slow. */
        private void check(int arrived) throws TooSlow {
            bytes += arrived;
            long elapsedNanos = nanoTime.getAsLong() - start;
            long late = elapsedNanos - grace.toNanos();
            if (late > 0 && bytes < (double) minBytesPerSecond * late / 1e9) {
                throw new TooSlow(bytes, elapsedNanos / 1_000_000, BodyRate.this);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
