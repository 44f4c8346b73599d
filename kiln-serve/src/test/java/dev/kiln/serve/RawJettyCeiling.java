package dev.kiln.serve;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Throwaway load-test ceiling (not a test; run by hand or by {@code bench/load/run.sh} with {@code CEILING=1}): the
 * fastest a JVM HTTP server answers the load test's POST on this machine, as an upper bound for Kiln.
 *
 * <pre>
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling jetty 18082
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling jetty-nb 18082
 * java -cp kiln.jar:kiln-serve/target/test-classes dev.kiln.serve.RawJettyCeiling javalin 18082
 * </pre>
 *
 * {@code jetty}: a bare Jetty 12 core {@link Handler.Abstract} (default thread pool, one connector) that reads the
 * request body and answers the same fixed 208-byte JSON body as the load test's nginx. {@code jetty-nb}: the same as a
 * non-blocking handler (run on the selector thread, as Kiln's fast path is) on Kiln's selector count. {@code javalin}: a Javalin 7
 * app (Kiln's stack: Jetty + servlet + Javalin) whose one POST route reads the body and answers the same bytes.
 * Both answer every method and path; readiness: any GET.
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
}
