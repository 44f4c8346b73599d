package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln server --log-dir}: a directory that is not there stops the server before it listens, naming the option. */
class ServerLogDirTest {
    @TempDir
    Path home;

    @Test
    void aMissingLogDirIsRefusedAtStart() {
        CliRun r = CliRun.of("server", "--home", home.toString(), "--port", "0", "--log-dir", home.resolve("nope").toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("--log-dir").contains("nope").contains("not a directory");
        assertThat(CliRun.of("server", "--help").out()).contains("--log-dir=DIR");
    }
}
