package dev.kiln.app;

import dev.kiln.app.cli.Cli;
import picocli.CommandLine;

/** Entry point of the {@code kiln} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (see {@link Cli#EXIT_CODES_HELP}). */
    public static int run(String... args) {
        return Cli.forArguments(args).execute(args);
    }

    static CommandLine commandLine() {
        return Cli.commandLine();
    }
}
