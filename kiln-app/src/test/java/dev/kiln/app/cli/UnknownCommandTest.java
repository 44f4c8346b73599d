package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A mistyped command is an error whether or not --help is next to it. */
class UnknownCommandTest {
    @Test
    void anUnknownCommandWithHelpIsAUsageError() {
        for (String[] args : new String[][] {{"nosuch", "--help"}, {"nosuch"}, {"--help", "nosuch"}, {"nosuch", "-h"}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).as(String.join(" ", args))
                    .startsWith("error [invalid_argument]: unknown command 'nosuch'").contains("Usage: kiln");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void anUnknownSubcommandWithHelpIsAUsageErrorNamingTheParent() {
        CliRun run = CliRun.of("models", "nosuch", "--help");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error [invalid_argument]: unknown command 'nosuch'").contains("Usage: kiln models");
    }

    @Test
    void aStrayArgumentWithHelpIsAUsageError() {
        CliRun run = CliRun.of("train", "stray", "--help");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("error [invalid_argument]: unexpected argument 'stray'").contains("Usage: kiln train");
    }

    @Test
    void helpOfRealCommandsStillExitsZero() {
        for (String[] args : new String[][] {{"--help"}, {"models", "--help"}, {"models", "alias", "--help"}, {"help", "train"}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).contains("Usage:");
        }
    }
}
