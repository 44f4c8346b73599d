package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.serve.InferenceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** kiln serve on a non-loopback address: only with a token, or when told explicitly to serve open. */
class ServeHostTest {
    @TempDir
    static Path home;
    static Path bundle;

    @BeforeAll
    static void train() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "baseline", "--out", home.resolve("bundle").toString(), "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        bundle = Path.of(BadInputTest.json(train.out()).get("bundle").asText());
    }

    @Test
    void aNonLoopbackHostWithoutATokenIsRefused() {
        CliRun run = CliRun.of("serve", "--home", home.toString(), "--model", "m=" + bundle, "--host", "0.0.0.0", "--port", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error [invalid_argument]: refusing to serve on 0.0.0.0 without a token")
                .contains("--token-file", "--insecure-no-token", "KILN_SERVE_TOKEN");
        assertThat(run.out()).doesNotContain("listening");
        assertThat(CliRun.of("serve", "--help").out()).contains("--insecure-no-token");
    }

    @Test
    void aNonLoopbackHostStartsWithATokenOrWhenExplicitlyInsecure() throws Exception {
        Path tokenFile = Files.writeString(home.resolve("serve.token"), "inference-0123456789abcdef\n");
        for (String[] extra : new String[][] {{"--token-file", tokenFile.toString()}, {"--insecure-no-token"}}) {
            ServeCommand command = new ServeCommand();
            command.env = name -> null;
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--home", home.toString(), "--port", "0",
                    "--poll-seconds", "0", "--no-log", "--model", "m=" + bundle, "--host", "0.0.0.0"));
            args.addAll(java.util.List.of(extra));
            new CommandLine(command).parseArgs(args.toArray(String[]::new));
            try (InferenceServer server = command.start()) {
                HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v2/health/live")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).as(String.join(" ", extra)).isEqualTo(200);
            }
        }
    }

    @Test
    void loopbackNeedsNoToken() throws Exception {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            ServeCommand command = new ServeCommand();
            command.env = name -> null;
            new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "0", "--no-log",
                    "--model", "m=" + bundle, "--host", host);
            try (InferenceServer server = command.start()) {
                assertThat(server.port()).as(host).isPositive();
            }
        }
    }

    @Test
    void allowedHostsNameTheDnsNamesTheServerAnswersTo() throws Exception {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        new CommandLine(command).parseArgs("--home", home.toString(), "--port", "0", "--poll-seconds", "0", "--no-log",
                "--model", "m=" + bundle, "--allowed-host", "kiln.example,scoring.internal");
        try (InferenceServer server = command.start()) {
            assertThat(statusWithHost(server.port(), "kiln.example:" + server.port())).isEqualTo(200);
            assertThat(statusWithHost(server.port(), "scoring.internal")).isEqualTo(200);
            assertThat(statusWithHost(server.port(), "evil.example")).isEqualTo(403);
        }
        CliRun bad = CliRun.of("serve", "--home", home.toString(), "--model", "m=" + bundle, "--port", "0",
                "--body-timeout-seconds", "0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("error [invalid_argument]: --body-timeout-seconds must be 1 to");
    }

    /** The status of GET /v2/health/live sent with this Host header (Java's HTTP client will not set one). */
    private static int statusWithHost(int port, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET /v2/health/live HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
