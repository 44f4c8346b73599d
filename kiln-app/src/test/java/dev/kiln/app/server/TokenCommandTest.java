package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln server token add/list}: a token shown once that then works, and a file holding only hashes. */
class TokenCommandTest {
    @TempDir
    Path home;

    @Test
    void anAddedTokenWorksAndTheFileHoldsOnlyItsHash() throws IOException {
        Kiln add = Kiln.run("server", "token", "add", "ci", "--role", "editor", "--home", home.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        String token = add.out().trim();
        assertThat(token).matches("[A-Za-z0-9_-]{43}"); // 32 bytes, base64url without padding
        assertThat(add.err()).contains("shown only this once");

        Path file = home.resolve(ApiTokens.FILE);
        String text = Files.readString(file);
        assertThat(text).doesNotContain(token).contains(HexFormat.of().formatHex(ApiTokens.sha256(token)));
        JsonNode entries = TestServer.JSON.readTree(text);
        assertThat(entries.size()).isEqualTo(1);
        assertThat(entries.get(0).path("name").asText()).isEqualTo("ci");
        assertThat(entries.get(0).path("role").asText()).isEqualTo("editor");
        assertThat(entries.get(0).path("created").asText()).isNotBlank();
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (var files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        Kiln second = Kiln.run("server", "token", "add", "viewer-1", "--role", "VIEWER", "--home", home.toString(), "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        String viewerToken = TestServer.JSON.readTree(second.out()).path("token").asText();

        Kiln list = Kiln.run("server", "token", "list", "--home", home.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("ci", "editor", "viewer-1", "viewer").doesNotContain(token, viewerToken)
                .doesNotContain(HexFormat.of().formatHex(ApiTokens.sha256(token)));

        assertThat(Kiln.run("server", "token", "add", "ci", "--role", "admin", "--home", home.toString()).exitCode())
                .as("names are unique").isEqualTo(4);
        Kiln badRole = Kiln.run("server", "token", "add", "x", "--role", "root", "--home", home.toString());
        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.err()).contains("viewer", "editor", "admin");
        assertThat(Kiln.run("server", "token", "add", "../x", "--role", "admin", "--home", home.toString()).exitCode()).isEqualTo(2);

        try (TestServer s = TestServer.start(home)) {
            assertThat(s.server.open()).isFalse();
            TestServer.Res created = s.post("/api/runs", token, "{\"experiment\": \"ci\", \"name\": \"nightly\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().path("id").asText();
            assertThat(s.post("/api/runs/" + id + "/metrics", token, "{\"key\": \"loss\", \"value\": 0.25, \"step\": 1}").status()).isEqualTo(200);
            TestServer.Res history = s.get("/api/runs/" + id + "/metrics/loss", viewerToken);
            assertThat(history.status()).isEqualTo(200);
            assertThat(history.json().path("history").get(0).path("value").asDouble()).isEqualTo(0.25);
            assertThat(s.post("/api/runs", viewerToken, "{\"experiment\": \"ci\"}").status()).isEqualTo(403);
            assertThat(s.delete("/api/models/m/aliases/production", token).status()).isEqualTo(403);
            assertThat(s.get("/api/runs", token.substring(1) + "A").status()).isEqualTo(401);
            assertThat(s.get("/api/runs", null).status()).isEqualTo(401);
        }
    }

    @Test
    void aRevokedTokenStopsWorkingOnARunningServerAndAnAddedOneStarts() throws Exception {
        String ci = Kiln.run("server", "token", "add", "ci", "--role", "editor", "--home", home.toString()).out().trim();
        try (TestServer s = TestServer.start(home)) {
            assertThat(s.get("/api/runs", ci).status()).isEqualTo(200);

            Kiln revoke = Kiln.run("server", "token", "revoke", "ci", "--home", home.toString());
            assertThat(revoke.exitCode()).as(revoke.err()).isZero();
            assertThat(revoke.out()).contains("revoked API token 'ci' (editor)");
            awaitStatus(s, ci, 401);
            assertThat(s.server.open()).as("a server started with tokens never turns open").isFalse();
            assertThat(s.get("/api/runs", null).status()).isEqualTo(401);

            Kiln addOps = Kiln.run("server", "token", "add", "ops", "--role", "viewer", "--home", home.toString());
            String ops = addOps.out().trim();
            awaitStatus(s, ops, 200);
            // What the command says is what just happened: the running server took the token without a restart.
            assertThat(addOps.err()).contains("a running server takes it within a second")
                    .doesNotContain("restart a running server to use it");

            // A file that turns unreadable refuses every token (fails closed) until it is fixed.
            String good = Files.readString(home.resolve(ApiTokens.FILE));
            Files.writeString(home.resolve(ApiTokens.FILE), "{not json, and longer than before so the size changes");
            awaitStatus(s, ops, 401);
            Files.writeString(home.resolve(ApiTokens.FILE), good);
            awaitStatus(s, ops, 200);
        }
        Kiln unknown = Kiln.run("server", "token", "revoke", "nobody", "--home", home.toString());
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("no API token named 'nobody'");
    }

    /** The server re-reads the token file at most once a second: wait up to 10 s for the expected answer. */
    private static void awaitStatus(TestServer s, String token, int status) throws Exception {
        int last = dev.kiln.app.Poll.until(() -> s.get("/api/runs", token).status(), st -> st == status, java.time.Duration.ofSeconds(10));
        assertThat(last).as("status after waiting for the token file to be re-read").isEqualTo(status);
    }

    @Test
    void aTokenFileThatCannotBeReadStopsTheServerRatherThanOpeningIt() throws IOException {
        Files.writeString(home.resolve(ApiTokens.FILE), "[{\"name\": \"x\", \"role\": \"admin\", \"sha256\": \"not-hex\"}]");
        assertThatThrownBy(() -> ApiTokens.load(home)).isInstanceOf(KilnException.class).hasMessageContaining("server-tokens.json");
        Kiln cli = Kiln.run("server", "--home", home.toString(), "--port", "0");
        assertThat(cli.exitCode()).isEqualTo(2);
        Files.writeString(home.resolve(ApiTokens.FILE), "{not json");
        assertThat(Kiln.run("server", "token", "list", "--home", home.toString()).exitCode()).isEqualTo(2);
    }
}
