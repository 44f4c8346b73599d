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
import java.util.Map;
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

    /**
     * Each noun's verbs, in the order its help lists them. Like the top-level commands they are added when the command
     * line is built, so that a run builds only the verb it invokes (below).
     */
    static final Map<Class<?>, List<Class<?>>> VERBS = Map.of(
            DataCommand.class, List.of(DataCommand.Profile.class, DataCommand.Validate.class,
                    DatasetCommands.Ingest.class, DatasetCommands.Versions.class, DatasetCommands.Get.class,
                    DatasetCommands.ListDatasets.class),
            RunsCommand.class, List.of(RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Compare.class),
            MonitorCommand.class, List.of(MonitorCommand.Check.class, MonitorCommand.Alerts.class,
                    MonitorCommand.Performance.class),
            PipelineCommand.class, List.of(PipelineInit.class, PipelineRun.class, PipelineStatus.class,
                    PipelineRuns.class, PipelineWatch.class),
            DemoCommand.class, List.of(DriftDemo.class, AbDemo.class, LoopDemo.class),
            ModelsCommand.class, List.of(ModelsCommand.ListModels.class, ModelsCommand.Show.class,
                    ModelsCommand.Alias.class, ModelsCommand.Unalias.class, ModelsRollback.class, ModelsRollout.class,
                    ModelsCommand.History.class, ModelsCommand.Card.class, ModelsCommand.Tag.class,
                    ModelsCommand.Describe.class));

    /** The whole command tree. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line for running {@code args}: when the first argument names a top-level command, only that
     * command's branch is built, and when the second names one of its verbs, only that verb. Picocli builds a command's
     * model by reflection over every option of every subcommand, which for the whole tree was most of the start-up time
     * of every run (about 0.25 s of CPU), and for all of `kiln data`'s six verbs about 60 ms more than for one;
     * anything else (no arguments, an option first, an unknown or misspelt command or verb, {@code help}) gets the
     * whole tree or the whole noun, so usage and "did you mean" messages are unchanged.
     */
    public static CommandLine forArguments(String... args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            for (Class<?> command : COMMANDS) {
                if (command != CommandLine.HelpCommand.class && named(command, args[0])) {
                    Class<?> verb = args.length > 1 ? verb(command, args[1]) : null;
                    return commandLine(List.of(command), verb);
                }
            }
        }
        return commandLine();
    }

    private static boolean named(Class<?> command, String name) {
        Command annotation = command.getAnnotation(Command.class);
        return annotation.name().equals(name) || Arrays.asList(annotation.aliases()).contains(name);
    }

    /** The verb of {@code noun} that {@code name} names, or null. */
    private static Class<?> verb(Class<?> noun, String name) {
        for (Class<?> verb : VERBS.getOrDefault(noun, List.of())) {
            if (named(verb, name)) {
                return verb;
            }
        }
        return null;
    }

    private static CommandLine commandLine(List<Class<?>> commands) {
        return commandLine(commands, null);
    }

    /** The tree of {@code commands}, each with all its verbs, or with {@code onlyVerb} alone where it is one of them. */
    private static CommandLine commandLine(List<Class<?>> commands, Class<?> onlyVerb) {
        CommandLine cl = new CommandLine(new Cli());
        for (Class<?> command : commands) {
            List<Class<?>> verbs = VERBS.getOrDefault(command, List.of());
            if (verbs.isEmpty()) {
                cl.addSubcommand(command);
                continue;
            }
            CommandLine noun = new CommandLine(command);
            for (Class<?> verb : verbs) {
                if (onlyVerb == null || verb == onlyVerb) {
                    noun.addSubcommand(verb);
                }
            }
            cl.addSubcommand(noun);
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
