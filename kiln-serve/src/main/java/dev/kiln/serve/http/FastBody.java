package dev.kiln.serve.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;

/** A request body of known length being read by a Jetty handler: the bytes so far, and how the reading ended. */
public final class FastBody {
    private final byte[] bytes;
    private int n;
    private boolean last;
    private Content.Chunk failure;

    public FastBody(int length) {
        bytes = new byte[length];
    }

    /** The body's bytes (all of them once {@link #complete()}). */
    public byte[] bytes() {
        return bytes;
    }

    /** How many bytes have been read. */
    public int read() {
        return n;
    }

    /** The failure the reading ended with (a timeout, the connection closed), or null. */
    public Content.Chunk failure() {
        return failure;
    }

    /** Whether the whole body has been read. */
    public boolean complete() {
        return n == bytes.length;
    }

    /** Reads what has arrived, never waiting; true when the reading is over (all bytes, the end, or a failure). */
    public boolean readArrived(Request request) {
        while (n < bytes.length && !last && failure == null) {
            Content.Chunk c = request.read();
            if (c == null) {
                return false;
            }
            if (Content.Chunk.isFailure(c)) {
                failure = c;
                break;
            }
            ByteBuffer buf = c.getByteBuffer();
            int k = Math.min(buf.remaining(), bytes.length - n);
            buf.get(bytes, n, k);
            n += k;
            last = c.isLast();
            c.release();
        }
        return true;
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
}
