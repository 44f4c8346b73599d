package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundle uploads (registering versions) and file artifacts over HTTP, and what a hostile upload gets. */
class UploadsOverHttpTest {
    static final String ZIP = "application/zip";
    static final String BYTES = "application/octet-stream";

    /** The home lies one level down, so that a write escaping it (a sibling of the home) would be seen. */
    @TempDir
    static Path root;
    static Path home;
    static TestServer s;
    static Map<String, byte[]> good;

    @BeforeAll
    static void start() throws IOException {
        home = Files.createDirectory(root.resolve("home"));
        s = TestServer.start(home);
        good = Zips.files(Bundles.good());
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static void assertError(TestServer.Res r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.toString()).isEqualTo(code);
        assertThat(r.json().path("error").path("details").isObject()).as(r.toString()).isTrue();
        assertThat(r.body()).as("no server paths in answers").doesNotContain(home.toString(), "upload-", "\tat ");
    }

    private static void assertNoUploadsLeft() throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("tmp"))) {
            assertThat(files.toList()).as("upload directories are removed").isEmpty();
        }
    }

    /** Everything under the root (the home's parent), except the temporary upload area and SQLite's own files. */
    private static List<String> listing() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString())
                    .filter(p -> !p.startsWith("home/tmp/") && !p.startsWith("home/kiln.db"))
                    .sorted().toList();
        }
    }

    // ---------------------------------------------------------------- registering

    @Test
    void aBundleUploadedAsAZipIsRegisteredAndResolves() throws IOException {
        String run = s.post("/api/runs", null, "{\"experiment\": \"uploads\"}").json().path("id").asText();
        TestServer.Res r = s.post("/api/models/uploaded/versions?reason=first%20upload&source_run=" + run, null, Zips.bundle(Bundles.good(), null), ZIP);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("model").asText()).isEqualTo("uploaded");
        int version = r.json().path("version").asInt();
        assertThat(r.json().path("source_run_id").asText()).isEqualTo(run);
        assertThat(r.json().path("created_by").asText()).isEqualTo("local");
        assertThat(r.json().path("description").asText()).isEqualTo("first upload");
        assertThat(r.json().path("bundle_sha256").asText()).isEqualTo(Checksums.sha256(good.get("manifest.json")));

        TestServer.Res back = s.get("/api/models/uploaded/versions/" + version, null);
        assertThat(back.json()).as("the same view as GET").isEqualTo(r.json());
        ModelVersion v = s.store.registry().resolve(ModelRef.parse("uploaded:" + version));
        Path stored = s.store.registry().bundlePath(v);
        assertThat(Zips.files(stored)).containsOnlyKeys(good.keySet());
        assertThat(s.get("/api/lineage/uploaded%3A" + version, null).json().path("run").path("id").asText()).isEqualTo(run);

        // Inside one top directory (as `zip -r b.zip bundle/` makes it), and without a directory entry.
        TestServer.Res nested = s.post("/api/models/uploaded/versions", null, Zips.bundle(Bundles.good(), "my-bundle"), ZIP);
        assertThat(nested.status()).as(nested.toString()).isEqualTo(201);
        assertThat(nested.json().path("version").asInt()).isEqualTo(version + 1);
        assertThat(nested.json().path("bundle_sha256").asText()).isEqualTo(r.json().path("bundle_sha256").asText());
        Map<String, byte[]> noDirEntry = new LinkedHashMap<>();
        good.forEach((n, b) -> noDirEntry.put("b/" + n, b));
        assertThat(s.post("/api/models/uploaded/versions", null, Zips.zip(noDirEntry), ZIP).status()).isEqualTo(201);
        assertNoUploadsLeft();
    }

    @Test
    void registeringChecksTheSourceRunTheContentTypeAndTheRole(@TempDir Path other) {
        byte[] zip = Zips.bundle(Bundles.good(), null);
        assertError(s.post("/api/models/m/versions?source_run=nope", null, zip, ZIP), 400, "invalid_argument");
        assertError(s.post("/api/models/m/versions?source_run=00000000-0000-0000-0000-000000000000", null, zip, ZIP), 404, "run_not_found");
        assertError(s.post("/api/models/m/versions", null, zip, "application/json"), 415, "unsupported_media_type");
        assertError(s.post("/api/models/m/versions", null, zip, "multipart/form-data; boundary=x"), 415, "unsupported_media_type");
        assertError(s.post("/api/models/m/versions", null, zip, null), 415, "unsupported_media_type");
        assertError(s.post("/api/models/m/versions", null, new byte[0], ZIP), 400, "invalid_argument");
        assertError(s.post("/api/models/m/versions", null, "not a zip at all, just some text".getBytes(StandardCharsets.UTF_8), ZIP),
                400, "invalid_argument");
        assertThat(s.store.registry().model("m")).isEmpty();

        String viewer = ApiTokens.add(other, "viewer", Role.VIEWER).token();
        String editor = ApiTokens.add(other, "editor", Role.EDITOR).token();
        try (TestServer t = TestServer.start(other)) {
            assertError(t.post("/api/models/m/versions", viewer, zip, ZIP), 403, "forbidden");
            assertError(t.post("/api/models/m/versions", null, zip, ZIP), 401, "unauthenticated");
            TestServer.Res ok = t.post("/api/models/m/versions", editor, zip, ZIP);
            assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
            assertThat(ok.json().path("created_by").asText()).isEqualTo("editor");
            assertThat(t.store.registry().history("m").get(1).actor()).isEqualTo("editor");
        }
    }

    @Test
    void hostileEntryNamesAre400AndNothingIsWritten() throws IOException {
        List<String> before = listing();
        record Case(String why, Map<String, byte[]> entries, String says) {
        }
        List<Case> cases = List.of(
                new Case("parent", with("../x", "escaped"), "leaves the bundle"),
                new Case("parent inside the top directory", prefixed("b/", with("b/../../x", "escaped")), "leaves the bundle"),
                new Case("absolute", with("/tmp/kiln-zip-slip", "escaped"), "absolute path"),
                new Case("drive letter", with("C:/x", "escaped"), "absolute path"),
                new Case("backslash", with("..\\x", "escaped"), "backslash"),
                new Case("nested directory", with("sub/dir/x.json", "{}"), "not a top-level file"),
                new Case("a second top directory", prefixed("b/", with("c/x.json", "{}")), "not a top-level file"),
                new Case("top-level file beside a top directory", prefixed("b/", with("x.json", "{}")), "not a top-level file"),
                new Case("dot", with("./x.json", "{}"), "'.' part"),
                new Case("hidden name", with(".x", "{}"), "bundle file names"),
                new Case("duplicate ignoring case", with("MANIFEST.JSON", "{}"), "appears twice"));
        for (Case c : cases) {
            TestServer.Res r = s.post("/api/models/hostile/versions", null, Zips.zip(c.entries()), ZIP);
            assertThat(r.status()).as(c.why() + ": " + r).isEqualTo(400);
            assertThat(r.errorCode()).as(c.why() + ": " + r).isEqualTo("invalid_argument");
            assertThat(r.json().path("error").path("message").asText()).as(c.why()).contains(c.says());
        }

        byte[] plain = Zips.zip(with("notes.txt", "/etc/passwd"));
        TestServer.Res link = s.post("/api/models/hostile/versions", null, Zips.asSymlink(plain, "notes.txt"), ZIP);
        assertError(link, 400, "invalid_argument");
        assertThat(link.json().path("error").path("message").asText()).contains("symbolic link");
        TestServer.Res twice = s.post("/api/models/hostile/versions", null, Zips.renaming(Zips.zip(with("manifest.jsoX", "{}")), "manifest.jsoX",
                "manifest.json"), ZIP);
        assertError(twice, 400, "invalid_argument");
        assertThat(twice.json().path("error").path("message").asText()).contains("appears twice");
        Map<String, byte[]> many = new LinkedHashMap<>(good);
        for (int i = 0; i < 20; i++) {
            many.put("extra" + i + ".json", "{}".getBytes(StandardCharsets.UTF_8));
        }
        TestServer.Res tooMany = s.post("/api/models/hostile/versions", null, Zips.zip(many), ZIP);
        assertError(tooMany, 400, "invalid_argument");
        assertThat(tooMany.json().path("error").path("details").path("limit").asInt()).isEqualTo(20);
        Map<String, byte[]> noManifest = new LinkedHashMap<>(good);
        noManifest.remove("manifest.json");
        assertError(s.post("/api/models/hostile/versions", null, Zips.zip(noManifest), ZIP), 400, "bundle_corrupt");

        assertThat(Files.exists(root.resolve("x"))).isFalse();
        assertThat(Files.exists(Path.of("/tmp/kiln-zip-slip"))).isFalse();
        assertThat(listing()).as("nothing written outside HOME/tmp").isEqualTo(before);
        assertNoUploadsLeft();
        assertThat(s.store.registry().model("hostile")).isEmpty();
    }

    @Test
    void aZipBombIs413WithoutFillingTheDisk() throws IOException {
        long hundredMegabytes = 100L * 1000 * 1000;
        byte[] bomb = Zips.withZeros(good, "profile2.json", hundredMegabytes);
        assertThat(bomb.length).as("highly compressible").isLessThan(1 << 20);
        TestServer.Res honest = s.post("/api/models/bomb/versions", null, bomb, ZIP);
        assertError(honest, 413, "payload_too_large");
        assertThat(honest.json().path("error").path("details").path("limit_bytes").asLong()).isEqualTo(BundleZip.MAX_UNPACKED_BYTES);

        // The same bomb lying about its size: the bytes inflated are counted, and stop at the declared size.
        TestServer.Res lying = s.post("/api/models/bomb/versions", null, Zips.declaringSize(bomb, "profile2.json", 1000), ZIP);
        assertError(lying, 413, "payload_too_large");
        assertThat(lying.json().path("error").path("message").asText()).contains("profile2.json", "1000");
        // Under the total limit entry by entry, but not together.
        byte[] split = Zips.withZeros(good, Map.of("a.json", 40L << 20, "b.json", 40L << 20));
        assertError(s.post("/api/models/bomb/versions", null, split, ZIP), 413, "payload_too_large");

        assertNoUploadsLeft();
        assertThat(s.store.registry().model("bomb")).isEmpty();
    }

    @Test
    void aTamperedBundleIs400WithTheRuntimesCode() throws IOException {
        Map<String, byte[]> tampered = new LinkedHashMap<>(good);
        tampered.put("estimator.json", (new String(good.get("estimator.json"), StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8));
        TestServer.Res r = s.post("/api/models/tampered/versions", null, Zips.zip(tampered), ZIP);
        assertError(r, 400, "bundle_checksum_mismatch");
        assertThat(r.json().path("error").path("message").asText()).contains("estimator.json");

        ObjectNode manifest = (ObjectNode) TestServer.JSON.readTree(good.get("manifest.json"));
        manifest.put("formatVersion", "9.0");
        Map<String, byte[]> newer = new LinkedHashMap<>(good);
        newer.put("manifest.json", TestServer.JSON.writeValueAsBytes(manifest));
        assertError(s.post("/api/models/tampered/versions", null, Zips.zip(newer), ZIP), 400, "bundle_format_unsupported");

        byte[] badJson = "{\"not\": ".getBytes(StandardCharsets.UTF_8);
        ObjectNode relisted = (ObjectNode) TestServer.JSON.readTree(good.get("manifest.json"));
        ((ObjectNode) relisted.path("files")).put("pipeline.json", Checksums.sha256(badJson));
        Map<String, byte[]> corrupt = new LinkedHashMap<>(good);
        corrupt.put("pipeline.json", badJson);
        corrupt.put("manifest.json", TestServer.JSON.writeValueAsBytes(relisted));
        assertError(s.post("/api/models/tampered/versions", null, Zips.zip(corrupt), ZIP), 400, "bundle_corrupt");

        assertThat(s.store.registry().model("tampered")).isEmpty();
        assertNoUploadsLeft();
    }

    // ---------------------------------------------------------------- artifacts

    @Test
    void aFileArtifactRoundTripsByteForByte() {
        String run = s.post("/api/runs", null, "{\"experiment\": \"uploads\"}").json().path("id").asText();
        byte[] data = new byte[(2 << 20) + 17]; // over the 1 MiB JSON limit
        new Random(3).nextBytes(data);
        TestServer.Res put = s.post("/api/runs/" + run + "/artifacts/weights.bin", null, data, BYTES);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.json().path("name").asText()).isEqualTo("weights.bin");
        assertThat(put.json().path("kind").asText()).isEqualTo("file");
        assertThat(put.json().path("sha256").asText()).isEqualTo(Checksums.sha256(data));
        assertThat(put.json().path("size_bytes").asLong()).isEqualTo(data.length);

        HttpResponse<byte[]> got = s.bytes("/api/runs/" + run + "/artifacts/weights.bin", null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.headers().firstValue("Content-Type").orElse("")).startsWith(BYTES);
        assertThat(got.headers().firstValue("X-Kiln-Sha256").orElse("")).isEqualTo(Checksums.sha256(data));
        assertThat(got.body()).isEqualTo(data);

        JsonNode listed = s.get("/api/runs/" + run, null).json().path("artifacts");
        assertThat(listed.size()).isEqualTo(1);
        assertThat(listed.get(0).path("name").asText()).isEqualTo("weights.bin");
        assertThat(s.post("/api/runs/" + run + "/artifacts/weights.bin", null, data, BYTES).status()).as("the same bytes again").isEqualTo(201);
        assertError(s.post("/api/runs/" + run + "/artifacts/weights.bin", null, new byte[] {1}, BYTES), 409, "conflict");
        TestServer.Res empty = s.post("/api/runs/" + run + "/artifacts/empty.txt", null, new byte[0], BYTES);
        assertThat(empty.status()).as(empty.toString()).isEqualTo(201);
        assertThat(s.bytes("/api/runs/" + run + "/artifacts/empty.txt", null).body()).isEmpty();

        assertError(s.get("/api/runs/" + run + "/artifacts/missing.bin", null), 404, "file_not_found");
        assertError(s.post("/api/runs/00000000-0000-0000-0000-000000000000/artifacts/x.bin", null, data, BYTES), 404, "run_not_found");
        assertError(s.post("/api/runs/" + run + "/artifacts/x.bin", null, data, "text/plain"), 415, "unsupported_media_type");

        s.store.tracking().logArtifact(run, "bundle", Bundles.good());
        TestServer.Res bundle = s.get("/api/runs/" + run + "/artifacts/bundle", null);
        assertError(bundle, 409, "conflict");
        assertThat(bundle.json().path("error").path("details").path("kind").asText()).isEqualTo("bundle");
    }

    @Test
    void anAuthorisedUploadWithTheWrongTypeIsReadToItsEndNotCutOff() {
        // Closing on a 415 while the client still sends its 2 MiB body let the client see a reset connection
        // instead of the answer ("header parser received no bytes"), now and then, in CI.
        String run = s.post("/api/runs", null, "{\"experiment\": \"uploads\"}").json().path("id").asText();
        byte[] data = new byte[2 << 20];
        for (int i = 0; i < 5; i++) {
            TestServer.Res r = s.post("/api/runs/" + run + "/artifacts/x.bin", null, data, "text/plain");
            assertError(r, 415, "unsupported_media_type");
            assertThat(r.raw().headers().firstValue("Connection").orElse("")).as("the connection is kept").isNotEqualToIgnoringCase("close");
        }
    }

    @Test
    void artifactNamesThatWouldTraverseAre400() throws IOException {
        String run = s.post("/api/runs", null, "{\"experiment\": \"uploads\"}").json().path("id").asText();
        List<String> before = listing();
        for (String name : List.of("..%2Fx", "..%2F..%2Fkiln.db", "%2e%2e", "..", "a%2Fb", "a%5Cb", "%2Fetc%2Fpasswd", ".hidden", "a..b")) {
            assertError(s.post("/api/runs/" + run + "/artifacts/" + name, null, new byte[] {1, 2, 3}, BYTES), 400, "invalid_argument");
            assertError(s.get("/api/runs/" + run + "/artifacts/" + name, null), 400, "invalid_argument");
        }
        assertThat(listing()).isEqualTo(before);
        assertThat(s.get("/api/runs/" + run, null).json().path("artifacts").size()).isZero();
        assertNoUploadsLeft();
    }

    // ---------------------------------------------------------------- size limits

    @Test
    void uploadsMayBeLargerThanJsonBodiesButNotUnbounded() throws IOException {
        String run = s.post("/api/runs", null, "{\"experiment\": \"uploads\"}").json().path("id").asText();
        // A declared length over the limit is refused before a byte is read.
        String response = TestServer.raw(s.server.port(), "POST /api/runs/" + run + "/artifacts/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + (Uploads.MAX_UPLOAD_BYTES + 1) + "\r\nConnection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 413").contains("\"code\":\"payload_too_large\"");

        // A chunked body has no length: its bytes are counted as they arrive.
        long size = Uploads.MAX_UPLOAD_BYTES + (1 << 20);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(s.server.url() + "/api/runs/" + run + "/artifacts/big.bin"))
                .header("Content-Type", BYTES).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(size))).build();
        for (int i = 0; i < 3; i++) {
            assertError(TestServer.send(chunked), 413, "payload_too_large");
            // An upload refused before it is read is still read to its end, so the answer arrives (no broken pipe).
            assertError(s.post("/api/runs/00000000-0000-0000-0000-000000000000/artifacts/x.bin", null, new byte[5 << 20], BYTES),
                    404, "run_not_found");
        }
        assertThat(s.get("/api/runs/" + run, null).json().path("artifacts").size()).isZero();
        assertNoUploadsLeft();

        // JSON routes keep their 1 MiB.
        String big = "{\"experiment\": \"e\", \"name\": \"" + "x".repeat(1_100_000) + "\"}";
        assertError(s.post("/api/runs", null, big), 413, "payload_too_large");
    }

    /** {@code size} zero bytes, produced as read. */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The good bundle's files plus one more entry. */
    private static Map<String, byte[]> with(String name, String content) {
        Map<String, byte[]> m = new LinkedHashMap<>(good);
        m.put(name, content.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Every entry but the last under {@code prefix}; the last as it is. */
    private static Map<String, byte[]> prefixed(String prefix, Map<String, byte[]> entries) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            m.put(++i < entries.size() ? prefix + e.getKey() : e.getKey(), e.getValue());
        }
        return m;
    }
}
