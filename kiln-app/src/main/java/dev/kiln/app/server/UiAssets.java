package dev.kiln.app.server;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files, served from the jar: {@code /ui/...} maps to the classpath folder {@code dev/kiln/app/ui/},
 * {@code /ui/vendor/...} to the pinned WebJars (uPlot), and every other GET outside {@code /api} is a page of the
 * single-page UI, answered with {@code index.html} so that a deep link a colleague opens works; the page's data
 * comes through {@code /api} with the caller's rights. These files hold no data and are public.
 *
 * <p>Asset names are checked against a strict pattern before the class loader sees them (no {@code ..}, no
 * backslash, known extensions only), so nothing outside the UI folder can be read through this route.
 */
final class UiAssets {
    static final String ROOT = "dev/kiln/app/ui/";
    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/";
    private static final Pattern ASSET = Pattern.compile("[a-z0-9_-]+(/[a-z0-9_-]+)*\\.(js|css|svg|png|txt|html)");
    private static final Map<String, String> VENDOR = Map.of(
            "vendor/uplot.js", UPLOT + "dist/uPlot.iife.min.js",
            "vendor/uplot.css", UPLOT + "dist/uPlot.min.css",
            "vendor/uplot-LICENSE.txt", UPLOT + "LICENSE");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8",
            "html", "text/html; charset=utf-8");

    /** A file's bytes, type and validator. */
    record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    /** {@code GET /ui/<name>}. */
    void asset(Context ctx) {
        String name = ctx.path().substring("/ui/".length());
        Asset a = find(name).orElseThrow(NotFoundResponse::new);
        send(ctx, a);
    }

    /** Any page path: the UI's one HTML document. */
    void page(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/api/") || path.equals("/api") || path.startsWith("/ui/")) {
            throw new NotFoundResponse();
        }
        send(ctx, find("index.html").orElseThrow(() -> new IllegalStateException("the UI's index.html is not in the jar")));
    }

    Optional<Asset> find(String name) {
        if (name == null || name.length() > 200 || (!ASSET.matcher(name).matches() && !VENDOR.containsKey(name))) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(name, UiAssets::load);
    }

    private static Optional<Asset> load(String name) {
        String resource = VENDOR.getOrDefault(name, ROOT + name);
        try (InputStream in = UiAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String ext = name.endsWith("LICENSE.txt") ? "txt" : name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            return Optional.of(new Asset(bytes, TYPES.get(ext), "\"" + sha256(bytes).substring(0, 32) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the UI file " + resource + " from the jar", e);
        }
    }

    private static void send(Context ctx, Asset a) {
        // Revalidate every time: cheap (a 304 on the ETag), and a new jar's files are never hidden behind an old cache.
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", a.etag());
        if (a.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType(a.contentType()).result(a.bytes());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
