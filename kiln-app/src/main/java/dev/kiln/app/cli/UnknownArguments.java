package dev.kiln.app.cli;

import dev.kiln.runtime.ErrorCode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * Arguments picocli could not place. Picocli lets them pass when {@code --help} is also given (so
 * {@code kiln nosuch --help} printed the top-level help and exited 0); a typo must fail the same way with or
 * without {@code --help}: exit 2, {@code error [invalid_argument]: unknown command 'nosuch'}, then the usage.
 */
final class UnknownArguments {
    private UnknownArguments() {
    }

    /** Runs the parsed command unless some level of it holds unplaced arguments. */
    static int execute(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p != null) {
            if (!p.unmatched().isEmpty()) {
                return refuse(p.commandSpec().commandLine(), p.unmatched());
            }
            p = p.subcommand();
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /**
     * The parse error for an unplaced word when no help was asked for, worded as above; null for other parse errors
     * (an unknown option keeps picocli's "Unknown option" message).
     */
    static Integer onParameterException(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            return refuse(ex.getCommandLine(), u.getUnmatched());
        }
        return null;
    }

    static String message(CommandLine command, List<String> unmatched) {
        String first = unmatched.get(0);
        if (first.startsWith("-")) {
            return "unknown option '" + first + "'";
        }
        return command.getSubcommands().isEmpty() ? "unexpected argument '" + first + "'" : "unknown command '" + first + "'";
    }

    private static int refuse(CommandLine command, List<String> unmatched) {
        PrintWriter err = command.getErr();
        err.println("error [" + ErrorCode.INVALID_ARGUMENT.wireName() + "]: " + message(command, unmatched));
        command.usage(err);
        err.flush();
        return ErrorCode.INVALID_ARGUMENT.category().exitCode();
    }
}
