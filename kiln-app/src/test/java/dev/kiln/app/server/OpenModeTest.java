package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without API tokens: loopback only, every request admin as "local", and nothing else accepted. */
class OpenModeTest {
    @TempDir
    Path home;

    @Test
    void withoutTokensItListensOnLoopbackOnlyAndEveryRequestIsAnAdmin() throws IOException {
        try (TestServer s = TestServer.start(home)) {
            assertThat(s.server.open()).isTrue();
            assertThat(s.server.host()).isEqualTo("127.0.0.1");
            TestServer.Res health = s.get("/api/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("status").asText()).isEqualTo("ok");
            assertThat(health.json().path("version").asText()).isNotBlank();

            s.store.registry().register("credit", Bundles.good(), null, "seed", null);
            TestServer.Res promoted = s.put("/api/models/credit/aliases/production", null, "{\"version\": 1}");
            assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
            assertThat(s.delete("/api/models/credit/aliases/production", null).status()).isEqualTo(200);
            assertThat(s.store.registry().history("credit")).filteredOn(e -> e.alias() != null)
                    .extracting(e -> e.actor()).containsOnly("local");
            TestServer.Res withToken = s.get("/api/models", "some-token");
            assertThat(withToken.status()).as("a token is not needed, and not checked").isEqualTo(200);

            InetAddress other = nonLoopbackAddress();
            assumeTrue(other != null, "this machine has no address other than loopback");
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, s.server.port()), 2000))
                        .as("not reachable on " + other).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutTokens() {
        try (KilnStore store = KilnStore.open(home, null)) {
            assertThatThrownBy(() -> ApiServer.start(store, ApiTokens.none(), "0.0.0.0", 0))
                    .isInstanceOf(KilnException.class)
                    .hasMessageContaining("no API tokens configured")
                    .hasMessageContaining("kiln server token add");
        }
        Kiln cli = Kiln.run("server", "--home", home.toString(), "--host", "0.0.0.0", "--port", "0");
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
        assertThat(cli.err()).contains("invalid_argument", "refusing to listen on 0.0.0.0");

        assertThat(ApiServer.bindHost(null, ApiTokens.none())).isEqualTo("127.0.0.1");
        assertThat(ApiServer.bindHost("localhost", ApiTokens.none())).isEqualTo("127.0.0.1");
        ApiTokens.add(home, "ops", Role.ADMIN);
        assertThat(ApiServer.bindHost("0.0.0.0", ApiTokens.load(home))).as("with tokens, any address").isEqualTo("0.0.0.0");
        assertThat(ApiServer.bindHost(null, ApiTokens.load(home))).as("still loopback by default").isEqualTo("127.0.0.1");
    }

    @Test
    void withoutTokensOnlyRequestsAddressedToLoopbackAreAnswered() throws IOException {
        try (TestServer s = TestServer.start(home)) {
            String rebound = TestServer.raw(s.server.port(), "GET /api/models HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
            assertThat(rebound).startsWith("HTTP/1.1 403").contains("\"forbidden\"");
            String local = TestServer.raw(s.server.port(), "GET /api/models HTTP/1.1\r\nHost: localhost:" + s.server.port() + "\r\nConnection: close\r\n\r\n");
            assertThat(local).startsWith("HTTP/1.1 200");
        }
    }

    private static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            List<InetAddress> addresses = Collections.list(ni.getInetAddresses());
            for (InetAddress a : addresses) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
