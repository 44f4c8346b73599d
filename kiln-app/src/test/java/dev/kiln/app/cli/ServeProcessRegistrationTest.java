package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.store.Deployment;
import dev.kiln.store.KilnStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln serve} as a process: registered under its own pid while it runs, deregistered by SIGTERM's clean stop. */
@Tag("slow")
class ServeProcessRegistrationTest {
    @TempDir
    Path home;

    @Test
    void sigtermDeregistersTheServer() throws Exception {
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().register("credit", RolloutBundles.good(), null, "test", "first");
            s.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.kiln.app.Main", "serve", "--home", home.toString(), "--port", "0",
                "--model", "credit=credit").redirectErrorStream(true).start();
        try (KilnStore store = KilnStore.open(home, null)) {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String url = null;
            for (String line; url == null && (line = out.readLine()) != null; ) {
                lines.add(line);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("listening on (http://127\\.0\\.0\\.1:[0-9]+)").matcher(line);
                if (m.find()) {
                    url = m.group(1);
                }
            }
            assertThat(url).as(String.join("\n", lines)).isNotNull();
            String listening = url;
            List<Deployment> registered = Poll.until(() -> store.deployments().list(),
                    l -> l.size() == 1 && l.get(0).url().equals(listening), Duration.ofSeconds(30));
            assertThat(registered).hasSize(1);
            assertThat(registered.get(0).pid()).isEqualTo(p.pid());
            assertThat(registered.get(0).state()).isEqualTo(Deployment.LIVE);

            p.destroy(); // SIGTERM: drain, close, deregister
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(store.deployments().list()).as("deregistered on the way out").isEmpty();
        } finally {
            p.destroyForcibly();
        }
    }
}
