package dev.kiln.serve.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A request body being read by a Jetty handler: the bytes so far, and how the reading ended. Read either at once
 * ({@link #readArrived}, never waiting), or as it arrives ({@link #readAsync}: no thread waits for a slow client, and a
 * body not over within its deadline ends in a timeout), then put back in front of the request ({@link #replay}) for
 * the route that answers it.
 */
public final class FastBody {
    /** A body of unknown length (chunked) starts with this much room; a known one with at most this much. */
    private static final int START = 16 << 10;

    /** The declared length, or -1 (chunked). */
    private final long declared;
    /** A body of unknown length is read up to one byte past this, then left to the route (which refuses it as too large). */
    private final int limit;
    private byte[] bytes;
    private int n;
    private boolean last;
    private Content.Chunk failure;
    /** The asynchronous reading is over (guarded by this): later content callbacks do nothing. */
    private boolean finished;

    /** A body of exactly {@code length} bytes, room for all of them at once (the fast path's small bodies). */
    public FastBody(int length) {
        this.declared = length;
        this.limit = length;
        this.bytes = new byte[length];
    }

    /** A body of {@code declared} bytes (-1: unknown), its room grown as bytes arrive (a slow client costs little memory). */
    public FastBody(long declared, int limit) {
        this.declared = declared;
        this.limit = limit;
        this.bytes = new byte[(int) Math.min(declared >= 0 ? declared : START, START)];
    }

    /** The body's bytes: exactly the declared length once {@link #complete()}. */
    public byte[] bytes() {
        return bytes;
    }

    /** How many bytes have been read. */
    public int read() {
        return n;
    }

    /** Whether the whole body (of a declared length) has been read. */
    public boolean complete() {
        return declared >= 0 && n == declared;
    }

    /** Whether reading stopped: every byte read, the end, a failure, or past the limit. */
    private boolean over() {
        return last || failure != null || (declared >= 0 ? n >= declared : n > limit);
    }

    /** Reads what has arrived, never waiting; true when the reading is over (all bytes, the end, or a failure). */
    public boolean readArrived(Request request) {
        while (!over()) {
            Content.Chunk c = request.read();
            if (c == null) {
                return false;
            }
            if (Content.Chunk.isFailure(c)) {
                failure = c;
                break;
            }
            ByteBuffer buf = c.getByteBuffer();
            int k = room(buf.remaining());
            buf.get(bytes, n, k);
            n += k;
            last = c.isLast();
            c.release();
        }
        return true;
    }

    /** Grows the buffer for {@code wanted} more bytes (not past the declared length, or one past the limit); how many fit. */
    private int room(int wanted) {
        long cap = declared >= 0 ? declared : (long) limit + 1;
        int need = (int) Math.min(cap, (long) n + wanted);
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(cap, Math.max(need, 2L * bytes.length)));
        }
        return need - n;
    }

    /** Reads until the reading is over, waiting for the bytes to arrive (pool threads only). */
    public void readAll(Request request) throws IOException {
        while (!readArrived(request)) {
            try (Blocker.Runnable b = Blocker.runnable()) {
                request.demand(b);
                b.block();
            }
        }
    }

    /**
     * Reads the body as it arrives without holding a thread: each time content arrives, what arrived is copied (on the
     * selector thread; it never waits), and more is demanded. Runs {@code done} once, when the reading is over or when
     * {@code timeoutMillis} have passed since the call, whichever is first; in the second case the body ends in a
     * {@link TimeoutException} failure (answered 408 by the route).
     */
    public void readAsync(Request request, Scheduler scheduler, long timeoutMillis, Runnable done) {
        Scheduler.Task timer = scheduler.schedule(() -> {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                failure = Content.Chunk.from(new TimeoutException("the request body did not arrive within " + timeoutMillis + " ms"), true);
            }
            done.run();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        Runnable[] onContent = new Runnable[1];
        onContent[0] = Invocable.from(Invocable.InvocationType.NON_BLOCKING, () -> {
            boolean over;
            synchronized (this) {
                if (finished) {
                    return;
                }
                over = readArrived(request);
                finished = over;
            }
            if (over) {
                timer.cancel();
                done.run();
            } else {
                request.demand(onContent[0]);
            }
        });
        onContent[0].run();
    }

    /** The body read so far as chunks to put back in front of the request: the bytes, then the end or the failure. */
    public synchronized List<Content.Chunk> replay() {
        List<Content.Chunk> chunks = new ArrayList<>(2);
        boolean whole = complete() || (last && failure == null);
        if (n > 0 || whole) {
            chunks.add(Content.Chunk.from(ByteBuffer.wrap(bytes, 0, n), whole));
        }
        if (failure != null) {
            chunks.add(failure);
        }
        return chunks;
    }

    /** Whether a request carries a body: a declared length, or chunked. */
    public static boolean expected(Request request) {
        long length = request.getLength();
        return length > 0 || (length < 0 && request.getHeaders().contains(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING));
    }
}
