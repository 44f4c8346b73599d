package dev.kiln.app.server;

import dev.kiln.store.KilnStore;
import dev.kiln.store.RunFilter;
import dev.kiln.store.RunOrder;
import dev.kiln.store.RunSearch;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The /runs page's first page at scale (bench/ui/run.sh): fills a store through the API (POST /api/runs, /params,
 * /metrics: one metrics request per run with all its metrics) with RUNS runs x METRICS metrics x PARAMS params, then
 * times GET /api/runs/search as the page asks for it (a filter, a metric sort, page_size 50, every metric as a column)
 * and prints the median and p95 over repeated requests, plus the store's search alone and the other reads of the page.
 * SQLite under a fresh home by default; {@code --postgres} runs an embedded PostgreSQL for the store instead.
 * Not a test: a main in the test tree so that it runs against the sources.
 */
public final class RunsPageBench {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunsPageBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = intArg(args, "--runs", 10_000);
        int metrics = intArg(args, "--metrics", 50);
        int params = intArg(args, "--params", 10);
        int requests = intArg(args, "--requests", 200);
        int threads = intArg(args, "--threads", 4);
        String homeArg = stringArg(args, "--home", null);
        Path home = homeArg != null ? Path.of(homeArg) : Files.createTempDirectory("kiln-runs-bench");
        boolean postgres = java.util.Arrays.asList(args).contains("--postgres");
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = postgres ? io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start() : null;
        String url = pg == null ? null : pg.getJdbcUrl("postgres", "postgres");
        System.out.printf(Locale.ROOT, "home %s (%s), %d runs x %d metrics x %d params, %d cores%n", home,
                pg == null ? "SQLite" : "embedded PostgreSQL", runs, metrics, params, Runtime.getRuntime().availableProcessors());
        try (KilnStore store = KilnStore.open(home, url); ApiServer server = ApiServer.start(store, ApiTokens.load(home), null, 0)) {
            String base = server.url();
            if (store.tracking().experiments().stream().noneMatch(e -> e.name().equals("bench"))) {
                long t0 = System.nanoTime();
                fill(base, runs, metrics, params, threads);
                double fillSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "fill through the API: %.1f s (%.0f runs/s, %d requests)%n", fillSeconds, runs / fillSeconds,
                        3 * runs);
            } else {
                System.out.println("reusing the runs already in " + home);
            }
            if (pg == null) {
                checkpoint(home);
            } else {
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); java.sql.Statement st = c.createStatement()) {
                    st.execute("VACUUM ANALYZE"); // what autovacuum does a while after a bulk load
                }
            }

            StringBuilder columns = new StringBuilder("params.algorithm,params.lr");
            for (int m = 0; m < metrics; m++) {
                columns.append(",metrics.").append(metric(m));
            }
            String filter = "metrics.m00 > 0.5 and params.algorithm = 'gbdt'";
            String order = "metrics.m01 DESC";
            String page = "/api/runs/search?experiment=bench&filter=" + enc(filter) + "&order_by=" + enc(order)
                    + "&page_size=50&columns=" + enc(columns.toString());
            String body = get(base + page);
            System.out.printf(Locale.ROOT, "first page: %d bytes, total %s%n", body.length(),
                    body.replaceAll("(?s).*\"total\":(\\d+).*", "$1"));

            report("GET search: filter + metric sort, 50 rows, all metric columns", () -> get(base + page), requests);
            report("GET search: no filter, newest first, 50 rows", () -> get(base + "/api/runs/search?experiment=bench&page_size=50"), requests);
            String token = tokenFor(store, filter, order, Math.min(99, runs / 300));
            String deep = token == null ? base + page : base + page + "&page_token=" + enc(token);
            report("GET search: a deep page (offset " + 50 * Math.min(99, runs / 300) + ") of the same list", () -> get(deep), requests);
            report("GET /api/runs/columns?experiment=bench", () -> get(base + "/api/runs/columns?experiment=bench"), requests);
            report("GET /api/experiments", () -> get(base + "/api/experiments"), requests);
            RunSearch search = RunSearch.all().withExperiment("bench").withFilter(RunFilter.parse(filter)).withOrder(RunOrder.parse(order));
            report("store only: TrackingStore.search (same query)", () -> store.tracking().search(search), requests);
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    /**
     * Four writers and their readers never leave SQLite a moment to restart its write-ahead log, so the fill ends with
     * a WAL of about a gigabyte that the next write would checkpoint. Checkpoint it here, so that the timings measure
     * the search rather than reads through a gigabyte of log.
     */
    private static void checkpoint(Path home) throws Exception {
        long wal = Files.exists(home.resolve("kiln.db-wal")) ? Files.size(home.resolve("kiln.db-wal")) : 0;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("kiln.db"));
             java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 60000");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        System.out.printf(Locale.ROOT, "checkpointed a WAL of %.0f MB; database %.0f MB%n", wal / 1e6,
                Files.size(home.resolve("kiln.db")) / 1e6);
    }

    private static String tokenFor(KilnStore store, String filter, String order, int pages) {
        RunSearch s = RunSearch.all().withExperiment("bench").withFilter(RunFilter.parse(filter)).withOrder(RunOrder.parse(order));
        String token = null;
        for (int i = 0; i < pages; i++) {
            String next = store.tracking().search(s.withPageToken(token)).nextPageToken();
            if (next == null) {
                break; // the list has fewer pages: the deepest one there is
            }
            token = next;
        }
        return token;
    }

    private static String metric(int m) {
        return String.format(Locale.ROOT, "m%02d", m);
    }

    private static void fill(String base, int runs, int metrics, int params, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        String[] algorithms = {"gbdt", "linear", "baseline"};
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                Random random = new Random(Thread.currentThread().getId());
                for (int i = next.getAndIncrement(); i < runs; i = next.getAndIncrement()) {
                    String run = post(base + "/api/runs", "{\"experiment\": \"bench\", \"name\": \"run-" + i
                            + "\", \"tags\": {\"seed\": \"" + i + "\", \"owner\": \"bench\"}}");
                    String id = run.replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
                    StringBuilder p = new StringBuilder("{\"algorithm\": \"" + algorithms[i % 3] + "\", \"lr\": " + (random.nextInt(100) / 1000.0));
                    for (int k = 2; k < params; k++) {
                        p.append(", \"p").append(k).append("\": ").append(random.nextInt(10));
                    }
                    post(base + "/api/runs/" + id + "/params", p.append('}').toString());
                    StringBuilder m = new StringBuilder("{\"step\": 1, \"metrics\": {");
                    for (int k = 0; k < metrics; k++) {
                        m.append(k == 0 ? "" : ", ").append('"').append(metric(k)).append("\": ").append(random.nextDouble());
                    }
                    post(base + "/api/runs/" + id + "/metrics", m.append("}}").toString());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void report(String what, Call call, int requests) throws Exception {
        for (int i = 0; i < Math.max(10, requests / 10); i++) {
            call.run(); // warm-up: JIT, SQLite page cache
        }
        double[] ms = new double[requests];
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        for (int i = 0; i < requests; i++) {
            long t = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / requests;
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-58s median %6.1f ms  p95 %6.1f ms  max %6.1f ms  cpu %5.1f ms/req  (%d, load %.1f)%n", what,
                ms[requests / 2], ms[(int) Math.ceil(requests * 0.95) - 1], ms[requests - 1], cpuMs, requests, os.getSystemLoadAverage());
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String post(String url, String json) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}
