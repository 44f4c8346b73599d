package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln server} as a process: prints where it listens, answers, and stops on SIGTERM. */
@Tag("slow")
class ServerCommandTest {
    @TempDir
    Path home;

    @Test
    void servesUntilTerminated() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.kiln.app.Main", "server", "--home", home.toString(), "--port", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String url = null;
            for (String line; url == null && (line = out.readLine()) != null; ) {
                lines.add(line);
                Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:[0-9]+)").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            assertThat(url).as(String.join("\n", lines)).isNotNull();
            for (String line; (line = out.readLine()) != null && lines.add(line) && !line.equals("stop with Ctrl-C"); ) {
                // the lines after the address, up to the last one it prints
            }
            assertThat(lines).contains(url.replace("http://", "web UI: http://") + "/   API: " + url + "/api");
            assertThat(lines).contains("no API tokens configured: listening on 127.0.0.1 only, every request has admin rights");
            assertThat(lines).contains("no prediction logs: the monitoring page needs --log-dir DIR (a kiln serve's --log-dir) or --log-source URI");
            TestServer.Res health = TestServer.send(HttpRequest.newBuilder(URI.create(url + "/api/health")).build());
            assertThat(health.status()).isEqualTo(200);

            p.destroy(); // SIGTERM: the shutdown hook stops the server and closes the store
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
