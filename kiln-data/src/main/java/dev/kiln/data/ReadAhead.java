package dev.kiln.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A {@link BatchedReader} on a thread of its own, a batch ahead of its caller: the next batch is parsed while the caller
 * works on this one (`kiln predict` scores it, `kiln data validate` checks it). At most three batches live at once (the
 * caller's, one waiting, one being read). A failure of the read is thrown by {@link #next} at the point the caller
 * reaches it; {@link #close} stops the read wherever it is.
 */
public final class ReadAhead implements AutoCloseable {
    private static final Object END = new Object();

    private record Failure(Throwable cause) {
    }

    /** Thrown inside the reading thread to unwind it once the caller has closed this. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
    private final Thread reader;
    private volatile boolean closed;
    private boolean ended;

    /** Starts reading {@code input} as {@link BatchedReader#read} reads it. */
    public ReadAhead(Path input, ReadOptions options, BatchSize size) {
        reader = new Thread(() -> {
            Object last = END;
            try {
                BatchedReader.read(input, options, size, this::put);
            } catch (Stopped stopped) {
                return;
            } catch (Throwable t) { // handed to the caller, who throws it as its own
                last = new Failure(t);
            }
            try {
                put(last);
            } catch (Stopped stopped) {
                // closed meanwhile: nobody is waiting
            }
        }, "kiln-read-ahead");
        reader.setDaemon(true);
        reader.start();
    }

    private void put(Object item) {
        try {
            while (!closed) {
                if (queue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Stopped();
    }

    /** The next batch in file order, or null after the last; rethrows what made the read fail. */
    public DataFrame next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Failure f) {
            ended = true;
            if (f.cause() instanceof RuntimeException r) {
                throw r;
            }
            if (f.cause() instanceof Error e) {
                throw e;
            }
            throw new IOException(f.cause());
        }
        return (DataFrame) item;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        queue.clear();
    }
}
