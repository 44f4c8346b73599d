package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the server finds prediction logs: --log-dir directories checked at start, supplied ones read each time. */
class MonitoringSourcesTest {
    @TempDir
    Path tmp;

    @Test
    void aLogDirThatIsNoDirectoryIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> MonitoringSources.of(List.of(tmp.resolve("missing"))))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("--log-dir")
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.FILE_NOT_FOUND));
    }

    @Test
    void theSameDirectoryNamedTwoWaysIsReadOnceInCanonicalForm() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), logs);
        MonitoringSources sources = MonitoringSources.of(List.of(logs, link, tmp.resolve("logs/../logs")));
        assertThat(sources.dirs()).containsExactly(logs.toRealPath());
    }

    @Test
    void suppliedDirectoriesAreReadOnEveryCallAndMissingOnesLeftOut() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = tmp.resolve("b");
        List<Path> registered = new ArrayList<>();
        MonitoringSources sources = MonitoringSources.of(List.of(a)).withExtra(() -> registered);
        assertThat(sources.dirs()).containsExactly(a.toRealPath());
        registered.add(b);
        assertThat(sources.dirs()).as("not created yet").containsExactly(a.toRealPath());
        Files.createDirectories(b);
        registered.add(a);
        assertThat(sources.dirs()).containsExactly(a.toRealPath(), b.toRealPath());
        assertThat(MonitoringSources.none().withExtra(() -> List.of(b)).dirs()).containsExactly(b.toRealPath());
    }

    @Test
    void aModelFolderThatLinksOutOfItsLogDirIsNotRead() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs")).toRealPath();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createDirectories(logs.resolve("credit"));
        Files.createSymbolicLink(logs.resolve("sneaky"), elsewhere);
        assertThat(MonitoringSources.modelDir(logs, "credit")).isEqualTo(logs.resolve("credit"));
        assertThat(MonitoringSources.modelDir(logs, "sneaky")).isNull();
        assertThat(MonitoringSources.modelDir(logs, "absent")).isNull();
    }
}
