package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.http.Dispatcher;
import dev.kiln.serve.http.JsonErrorHandler;
import dev.kiln.serve.http.Route;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import java.net.BindException;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * How {@code kiln serve}'s Javalin and Jetty are put together: Kiln's own connector (its selector count), the records
 * fast path in front of Javalin, the JSON error handler for what Jetty answers itself, the idle timeout, every route of
 * the table through the one dispatcher, and starting (a port in use is 409 {@code conflict}).
 */
final class ServeJetty {
    private ServeJetty() {
    }

    static void configure(JavalinConfig config, ServeState state, ServeRoutes handlers, List<Route> routes, String bind, int port,
                                  long idleMillis) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = bind;
        config.jetty.port = port;
        config.http.maxRequestSize = InferenceServer.MAX_BODY_BYTES;
        config.http.defaultContentType = "application/json";
        // Kiln's own connector, for its selector count (see InferenceServer.SELECTORS).
        config.jetty.addConnector((server, httpConfig) -> {
            ServerConnector c = new ServerConnector(server, 1, InferenceServer.SELECTORS, new HttpConnectionFactory(httpConfig));
            c.setHost(bind);
            c.setPort(port);
            return c;
        });
        config.jetty.modifyServer(server -> {
            // The records fast path, first of the server's handlers (ahead of the StatisticsHandler Javalin puts there, whose
            // counts nothing reads, so that the requests it answers skip that wrapping too); Javalin attaches its servlet
            // context behind the innermost wrapper when it starts.
            server.insertHandler(new FastPredict(state, handlers.records()));
            server.setErrorHandler(new JsonErrorHandler(state.errors));
            setIdleTimeout(server.getConnectors(), idleMillis);
        });
        Dispatcher dispatcher = new Dispatcher(state.hosts, state.tokens, state.errors, state.meters, state.inFlight, state::versionSummary);
        for (Route r : routes) {
            config.routes.addHttpHandler(r.method(), r.path(), dispatcher.handler(r));
        }
        // Javalin's own refusals (no route, no such method, a body over the limit) and anything thrown outside a route.
        // (HttpResponseException named apart: Javalin answers it with its own body unless a handler names that class.)
        config.routes.exception(HttpResponseException.class, (e, ctx) -> dispatcher.fail(ctx, e));
        config.routes.exception(Exception.class, (e, ctx) -> dispatcher.fail(ctx, e));
    }

    private static void setIdleTimeout(Connector[] connectors, long idleMillis) {
        for (Connector c : connectors) {
            if (c instanceof AbstractConnector a) {
                a.setIdleTimeout(idleMillis);
            }
        }
    }

    /** Starts Jetty; on failure closes what the server would have closed, a port in use as 409 {@code conflict}. */
    static void start(Javalin app, ServeState state, String bind, int port, long idleMillis) {
        try {
            app.start();
            // Javalin adds its connector while starting; set (again) here so the timeout holds whatever the order.
            setIdleTimeout(app.jettyServer().server().getConnectors(), idleMillis);
            state.hosts.bound(app.port());
        } catch (RuntimeException e) {
            app.stop();
            if (state.shadows != null) {
                state.shadows.close();
            }
            if (state.log != null) {
                state.log.close();
            }
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof BindException) {
                    throw new KilnException(ErrorCode.CONFLICT, "cannot listen on " + bind + ":" + port + ": " + c.getMessage(),
                            Map.of("host", bind, "port", port), e);
                }
            }
            throw e;
        }
    }
}
