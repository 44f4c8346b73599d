package dev.kiln.serve.http;

import java.util.ArrayDeque;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** A request whose first body chunks are given (already read from it), then the request's own. */
public final class Replay extends Request.Wrapper {
    private final ArrayDeque<Content.Chunk> chunks;

    public Replay(Request request, List<Content.Chunk> chunks) {
        super(request);
        this.chunks = new ArrayDeque<>(chunks);
    }

    @Override
    public Content.Chunk read() {
        synchronized (chunks) {
            Content.Chunk c = chunks.poll();
            if (c != null) {
                return c;
            }
        }
        return super.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        boolean ready;
        synchronized (chunks) {
            ready = !chunks.isEmpty();
        }
        if (ready) {
            demandCallback.run();
        } else {
            super.demand(demandCallback);
        }
    }
}
