package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln serve's prediction log retention flags: a bad size or age is refused, naming the flag, before anything starts. */
class ServeLogRetentionTest {
    @TempDir
    Path home;

    @Test
    void aBadSizeOrAgeNamesItsFlag() {
        CliRun size = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "m=" + home.resolve("none"),
                "--log-max-bytes", "lots");
        assertThat(size.exitCode()).as(size.err()).isEqualTo(2);
        assertThat(size.err()).contains("error [invalid_argument]").contains("--log-max-bytes 'lots' is not a size");
        CliRun age = CliRun.of("serve", "--home", home.toString(), "--port", "0", "--model", "m=" + home.resolve("none"),
                "--log-max-age", "a month");
        assertThat(age.exitCode()).as(age.err()).isEqualTo(2);
        assertThat(age.err()).contains("error [invalid_argument]").contains("--log-max-age 'a month' is not an age");
    }
}
