package dev.kiln.app.server;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.kafka.KafkaUri;
import dev.kiln.store.KilnStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kiln server}: the REST API for tracking and the registry, and its API tokens. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Serve the web UI (at /) and the REST API for tracking and the registry (JSON under /api) until stopped (Ctrl-C or SIGTERM).",
                "With API tokens (kiln server token add), every request needs 'Authorization: Bearer TOKEN' with a role "
                        + "(viewer < editor < admin). Without any, the server listens on 127.0.0.1 only and every request has admin rights."},
        subcommands = {ServerCommand.Token.class})
public final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions home;
    @Option(names = "--port", defaultValue = "" + ApiServer.DEFAULT_PORT, paramLabel = "PORT",
            description = "port to listen on, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--host", paramLabel = "HOST",
            description = "address to listen on (default: 127.0.0.1); another address needs API tokens, e.g. 0.0.0.0 for all")
    String host;
    @Option(names = "--json", description = "print where it listens as JSON")
    boolean json;
    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "a prediction log directory of a kiln serve (its --log-dir), read by the monitoring page and API; "
                    + "repeatable (default: HOME/logs/predictions when it exists)")
    List<Path> logDirs;
    @Option(names = "--log-source", paramLabel = "URI",
            description = "a Kafka topic that kiln serve --log-sink writes the prediction log to (kafka://HOST:PORT/TOPIC), "
                    + "read by the monitoring page and API; repeatable, and may go with --log-dir")
    List<String> logSources;

    @Override
    public Integer call() throws InterruptedException {
        ApiTokens tokens = ApiTokens.load(home.home());
        ApiServer.bindHost(host, tokens); // refuse before opening anything
        MonitoringSources logs = logSources(); // ApiServer adds the log directories of the kiln serves registered in the store
        KilnStore store = home.open();
        ApiServer server;
        try {
            server = ApiServer.start(store, tokens, host, port, logs);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                store.close();
                stopped.countDown();
            }
        }, "kiln-server-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("url", server.url());
            m.put("host", server.host());
            m.put("port", server.port());
            m.put("auth", server.open() ? "none" : "tokens");
            m.put("tokens", tokens.entries().size());
            m.put("store", store.url());
            m.put("log_dirs", logs.dirs().stream().map(Path::toString).toList());
            m.put("log_sources", logs.topics().stream().map(KafkaUri::text).toList());
            out.println(ApiJson.write(m));
        } else {
            out.println("kiln server listening on " + server.url() + " (store " + store.url() + ")");
            out.println("web UI: " + server.url() + "/   API: " + server.url() + "/api");
            if (server.open()) {
                out.println("no API tokens configured: listening on " + server.host() + " only, every request has admin rights");
            } else {
                out.println(tokens.entries().size() + " API token" + (tokens.entries().size() == 1 ? "" : "s")
                        + " configured: requests need 'Authorization: Bearer TOKEN'");
            }
            out.println(logs.describe().isEmpty()
                    ? "no prediction logs: the monitoring page needs --log-dir DIR (a kiln serve's --log-dir) or --log-source URI"
                    : "monitoring reads the prediction logs in " + logs.describe());
            out.println("stop with Ctrl-C");
        }
        out.flush();
        stopped.await();
        return 0;
    }

    /** The --log-dir directories (without any, kiln serve's default log directory when it exists) and --log-source topics. */
    private MonitoringSources logSources() {
        List<KafkaUri> topics = new ArrayList<>();
        for (String uri : logSources == null ? List.<String>of() : logSources) {
            topics.add(KafkaUri.parse(uri, "--log-source"));
        }
        if (logDirs != null && !logDirs.isEmpty()) {
            return MonitoringSources.of(logDirs).withTopics(topics);
        }
        Path fallback = Home.predictionLogs(home.home());
        return (java.nio.file.Files.isDirectory(fallback) ? MonitoringSources.of(List.of(fallback)) : MonitoringSources.none())
                .withTopics(topics);
    }

    /** Only the home matters to tokens. */
    static final class TokenHome {
        @Option(names = "--home", paramLabel = "DIR", description = "Kiln home (default: $KILN_HOME, else ./.kiln)")
        Path home;

        Path home() {
            return Home.resolve(home);
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "API tokens of this Kiln home (HOME/" + ApiTokens.FILE + " holds their SHA-256, never the tokens).",
            subcommands = {Token.Add.class, Token.List.class, Token.Revoke.class})
    static final class Token implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Add an API token and print it (once: only its hash is kept). A running server takes it within a second.")
        static final class Add implements Callable<Integer> {
            @Spec
            CommandSpec spec;
            @Mixin
            TokenHome home;
            @Parameters(paramLabel = "NAME", description = "who holds the token; recorded as the actor of registry changes")
            String name;
            @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, editor or admin")
            String role;
            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call() throws Exception {
                Role r = Role.parse(role);
                ApiTokens.Added added = ApiTokens.add(home.home(), name, r);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", added.entry().name());
                    m.put("role", added.entry().role());
                    m.put("token", added.token());
                    m.put("created", added.entry().created());
                    out.println(ApiJson.write(m));
                } else {
                    out.println(added.token());
                    spec.commandLine().getErr().println("added API token '" + name + "' (" + r.wireName() + "); it is shown only this once. "
                            + "Send it as 'Authorization: Bearer TOKEN'; a running server takes it within a second "
                            + "(one started without any token stays open, loopback only, until restarted).");
                }
                out.flush();
                spec.commandLine().getErr().flush();
                return 0;
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true,
                description = "Remove an API token. A running server stops taking it within a second (it re-reads the file).")
        static final class Revoke implements Callable<Integer> {
            @Spec
            CommandSpec spec;
            @Mixin
            TokenHome home;
            @Parameters(paramLabel = "NAME", description = "the token's name")
            String name;
            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call() throws Exception {
                ApiTokens.Entry gone = ApiTokens.revoke(home.home(), name);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(ApiJson.write(Map.of("revoked", gone.name(), "role", gone.role())));
                } else {
                    out.println("revoked API token '" + gone.name() + "' (" + gone.role() + ")");
                }
                out.flush();
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List API tokens: names, roles, when added.")
        static final class List implements Callable<Integer> {
            @Spec
            CommandSpec spec;
            @Mixin
            TokenHome home;
            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call() throws Exception {
                ApiTokens tokens = ApiTokens.load(home.home());
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(ApiJson.write(tokens.entries().stream().map(e -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", e.name());
                        m.put("role", e.role());
                        m.put("created", e.created());
                        return m;
                    }).toList()));
                } else if (tokens.isEmpty()) {
                    out.println("no API tokens (the server listens on 127.0.0.1 only, every request admin); add one with: "
                            + "kiln server token add NAME --role viewer|editor|admin");
                } else {
                    int w = Math.max(4, tokens.entries().stream().mapToInt(e -> e.name().length()).max().orElse(4));
                    out.println(String.format("%-" + w + "s  %-6s  %s", "name", "role", "created"));
                    tokens.entries().forEach(e -> out.println(String.format("%-" + w + "s  %-6s  %s", e.name(), e.role(), e.created())));
                }
                out.flush();
                return 0;
            }
        }
    }
}
