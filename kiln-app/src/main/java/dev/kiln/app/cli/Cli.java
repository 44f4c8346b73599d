package dev.kiln.app.cli;

import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.app.server.ServerCommand;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code kiln} command tree and the one place where errors become messages and exit codes. */
@Command(name = "kiln", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Kiln: tabular ML from data to a self-describing model bundle, on the JVM.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:internal error (a bug; run with KILN_DEBUG=1 for the stack trace)",
                "2:bad input or usage (file, column, value, option)",
                "3:not found (file, bundle)",
                "4:conflict (output exists, promotion refused by the gates)",
                "5:validation failed (kiln data validate)",
                "6:drift or a firing alert, when asked (--fail-on-drift, --fail-on-alert)",
                "7:not allowed (a role or token refused)",
                "8:unavailable (out of memory: KILN_JAVA_OPTS=-Xmx...; a prediction log full or disabled)",
                "10:training or internal failure"})
public final class Cli implements Runnable {
    static final String EXIT_CODES_HELP = ErrorCode.EXIT_CODES_HELP;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The top-level commands, in the order {@code kiln --help} lists them. They are added when the command line is
     * built rather than named in the annotation, so that a run builds only the branch it invokes (below).
     */
    static final List<Class<?>> COMMANDS = List.of(QuickstartCommand.class, DataCommand.class, TrainCommand.class,
            PredictCommand.class, RunsCommand.class, ModelsCommand.class, LineageCommand.class, ExplainCommand.class,
            RetrainCommand.class, PipelineCommand.class, DriftCommand.class, MonitorCommand.class, DemoCommand.class,
            ServeCommand.class, ServerCommand.class, CommandLine.HelpCommand.class);

    /** The whole command tree. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line for running {@code args}: when the first argument names a top-level command, only that
     * command's branch is built. Picocli builds a command's model by reflection over every option of every
     * subcommand, which for the whole tree was most of the start-up time of every run (about 0.25 s of CPU); anything
     * else (no arguments, an option first, an unknown or misspelt command, {@code help}) gets the whole tree, so usage
     * and "did you mean" messages are unchanged.
     */
    public static CommandLine forArguments(String... args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            for (Class<?> command : COMMANDS) {
                Command annotation = command.getAnnotation(Command.class);
                if (command != CommandLine.HelpCommand.class && (annotation.name().equals(args[0])
                        || Arrays.asList(annotation.aliases()).contains(args[0]))) {
                    return commandLine(List.of(command));
                }
            }
        }
        return commandLine();
    }

    private static CommandLine commandLine(List<Class<?>> commands) {
        CommandLine cl = new CommandLine(new Cli());
        for (Class<?> command : commands) {
            cl.addSubcommand(command);
        }
        cl.setExecutionExceptionHandler(Cli::handle);
        cl.setExecutionStrategy(parsed -> {
            try {
                return UnknownArguments.execute(parsed);
            } catch (OutOfMemoryError e) {
                // What ran out is garbage now: there is room to word the error (OutOfMemory) and print it as any other.
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), "out of memory",
                        OutOfMemory.error(parsed));
            }
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            Integer unknown = UnknownArguments.onParameterException(ex);
            if (unknown != null) {
                return unknown;
            }
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error [invalid_argument]: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ErrorCode.INVALID_ARGUMENT.category().exitCode();
        });
        return cl;
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean json = parsed.subcommand() != null && hasJson(parsed);
        KilnException ke = ex instanceof KilnException k ? k
                : new KilnException(ErrorCode.INTERNAL, "unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        if (json) {
            try {
                cl.getOut().println(Json.mapper().writeValueAsString(ErrorBody.kiln(ke)));
            } catch (Exception ignored) {
                cl.getErr().println("error [" + ke.code().wireName() + "]: " + ke.getMessage());
            }
        } else {
            cl.getErr().println("error [" + ke.code().wireName() + "]: " + ke.getMessage());
        }
        if (!(ex instanceof KilnException) || System.getenv("KILN_DEBUG") != null) {
            if (System.getenv("KILN_DEBUG") != null) {
                ex.printStackTrace(cl.getErr());
            } else {
                cl.getErr().println("(this is a bug in Kiln; run with KILN_DEBUG=1 to see the stack trace)");
            }
        }
        cl.getErr().flush();
        cl.getOut().flush();
        return ex instanceof KilnException ? ke.code().exitCode() : 1;
    }

    private static boolean hasJson(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p != null) {
            if (p.hasMatchedOption("--json")) {
                return true;
            }
            p = p.subcommand();
        }
        return false;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kiln " + KilnVersion.get()};
        }
    }
}
