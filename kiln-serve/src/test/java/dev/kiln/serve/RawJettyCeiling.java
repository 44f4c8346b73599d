package dev.kiln.serve;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Throwaway load-test ceiling (not a test; run by hand or by {@code bench/load/run.sh} with {@code CEILING_CP} set): the
 * fastest a JVM HTTP server answers the load test's POST on this machine, as an upper bound for Kiln.
 *
 * <pre>
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling jetty 18082
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling jetty-nb 18082
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling javalin 18082
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling parser-nio 18082 [loops]
 * </pre>
 *
 * {@code jetty}: a bare Jetty 12 core {@link Handler.Abstract} (default thread pool, one connector) that reads the
 * request body and answers the same fixed 208-byte JSON body as the load test's nginx. {@code jetty-nb}: the same as a
 * non-blocking handler (run on the selector thread, as Kiln's fast path is) on Kiln's selector count. {@code javalin}: a Javalin 7
 * app (Kiln's stack: Jetty + servlet + Javalin) whose one POST route reads the body and answers the same bytes.
 * {@code parser-nio}: no Jetty server at all, only Jetty's {@link HttpParser} on plain NIO selector loops (Kiln's
 * selector count unless given), answering the same bytes with a fixed header block: what a leaner HTTP layer for the
 * scoring route, keeping Jetty's parser, could reach at most (no idle timeouts, no error answers, no back-pressure).
 * All answer every method and path; readiness: any GET.
 */
public final class RawJettyCeiling {
    static final byte[] BODY = ("{\"predictions\":[{\"prediction\":\"bad\",\"probability_good\":0.10079779534903344,"
            + "\"probability_bad\":0.8992022046509666}],\"model_name\":\"credit\",\"model_version\":\"1\","
            + "\"request_id\":\"00000000-0000-0000-0000-000000000000\"}").getBytes(StandardCharsets.UTF_8);

    private RawJettyCeiling() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "jetty";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 18082;
        if (mode.equals("javalin")) {
            Javalin app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.jetty.host = "127.0.0.1";
                config.jetty.port = port;
                for (HandlerType t : new HandlerType[] {HandlerType.GET, HandlerType.POST}) {
                    config.routes.addHttpHandler(t, "/*", ctx -> {
                        ctx.bodyAsBytes();
                        ctx.status(200).contentType("application/json");
                        ctx.res().setContentLength(BODY.length);
                        ctx.res().getOutputStream().write(BODY);
                    });
                }
            });
            app.start();
            System.err.println("javalin ceiling on 127.0.0.1:" + port);
            Thread.currentThread().join();
            return;
        }
        if (mode.equals("parser-nio")) {
            parserNio(port, args.length > 2 ? Integer.parseInt(args[2]) : InferenceServer.SELECTORS);
            return;
        }
        Server server = new Server();
        boolean nonBlocking = mode.equals("jetty-nb");
        ServerConnector connector = nonBlocking ? new ServerConnector(server, 1, InferenceServer.SELECTORS) : new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(nonBlocking ? new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // Reads what has arrived (with the headers, in the load test); a real server would wait for the rest.
                for (Content.Chunk c = request.read(); c != null; c = request.read()) {
                    boolean last = c.isLast();
                    c.release();
                    if (last) {
                        break;
                    }
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        } : new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Content.Source.asByteBuffer(request); // reads the POST body (blocking), as a server that parses it must
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        });
        server.start();
        System.err.println("jetty core ceiling (" + mode + ") on 127.0.0.1:" + port);
        server.join();
    }

    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 23:17:32 GMT\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    /** Accepts on this thread and hands each connection to one of {@code loops} selector threads, round robin. */
    private static void parserNio(int port, int loops) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
        ParserLoop[] all = new ParserLoop[loops];
        for (int i = 0; i < loops; i++) {
            all[i] = new ParserLoop();
            Thread t = new Thread(all[i], "parser-nio-" + i);
            t.setDaemon(true);
            t.start();
        }
        System.err.println("parser-nio ceiling (" + loops + " loops) on 127.0.0.1:" + port);
        for (int n = 0; ; n++) {
            SocketChannel c = server.accept();
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            all[n % loops].add(c);
        }
    }

    /** One connection: its buffers and its Jetty parser, which calls back here as it parses. */
    private static final class ParsedConnection implements HttpParser.RequestHandler {
        final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
        final ByteBuffer out = ByteBuffer.allocateDirect(1 << 12);
        final HttpParser parser = new HttpParser(this, 8192, HttpCompliance.RFC9110);
        byte[] body = new byte[0];
        int read;
        boolean complete;

        @Override
        public void startRequest(String method, String uri, HttpVersion version) {
        }

        @Override
        public void parsedHeader(HttpField field) {
        }

        @Override
        public boolean headerComplete() {
            body = new byte[(int) Math.max(0, parser.getContentLength())];
            read = 0;
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            int k = Math.min(item.remaining(), body.length - read);
            item.get(body, read, k);
            read += k;
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            complete = true;
            return true;
        }

        @Override
        public void earlyEOF() {
        }

        @Override
        public void badMessage(HttpException failure) {
            complete = true;
        }
    }

    private static final class ParserLoop implements Runnable {
        final Selector selector;
        final Queue<SocketChannel> added = new ConcurrentLinkedQueue<>();

        ParserLoop() throws java.io.IOException {
            selector = Selector.open();
        }

        void add(SocketChannel c) {
            added.add(c);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    selector.select();
                    for (SocketChannel c; (c = added.poll()) != null; ) {
                        c.register(selector, SelectionKey.OP_READ, new ParsedConnection());
                    }
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        serve(key);
                    }
                }
            } catch (java.io.IOException e) {
                e.printStackTrace();
            }
        }

        private static void serve(SelectionKey key) throws java.io.IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            ParsedConnection c = (ParsedConnection) key.attachment();
            int n;
            try {
                n = channel.read(c.in);
            } catch (java.io.IOException closed) {
                n = -1;
            }
            if (n < 0) {
                key.cancel();
                channel.close();
                return;
            }
            c.in.flip();
            while (c.in.hasRemaining()) {
                c.parser.parseNext(c.in);
                if (!c.complete) {
                    break;
                }
                c.complete = false;
                c.parser.reset();
                c.out.clear();
                c.out.put(HEAD).put(BODY).flip();
                while (c.out.hasRemaining()) {
                    channel.write(c.out); // a ceiling: spins if the socket is full instead of waiting to be writable
                }
            }
            c.in.compact();
        }
    }
}
